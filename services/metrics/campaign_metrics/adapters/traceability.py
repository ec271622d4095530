"""The dossiers behind an indicator cell (traceability, domain.md): for any unit, officer or the
Department, period and indicator, those in its numerator or its denominator, each with the
record (topic, partition, offset) that placed it there. The indicator's own module decides
which dossiers count, so this listing and the figure cannot disagree.

For an indicator that counts services (K1), the numerator lists the dossiers that put a
service in it (`item` is the service), and the denominator lists the subject's services, one
row each (no dossier; `in_numerator` says whether one was used)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, select

from campaign_contracts.events import PeriodKind, SubjectKind, split_officer_key
from campaign_metrics.adapters.queries import (
    SUBJECT_REQUIRED,
    QueryError,
    department_checked,
    indicators_checked,
    kind_of,
    not_applicable,
    page_of,
    period_checked,
    token_after,
)
from campaign_metrics.adapters.snapshots import STATE_COLUMNS, state_of_row
from campaign_metrics.adapters.tables import dossiers
from campaign_metrics.domain.definitions import Definitions
from campaign_metrics.domain.indicators import Indicator

PARTS = ("numerator", "denominator")


@dataclass(frozen=True)
class CellDossierView:
    dossier_code: str
    procedure_code: str
    unit_code: str
    officer: str
    channel: int
    status: int
    payment: int
    received_at: str  # local reception day, ISO (RFC 3339 full-date); empty when not set
    in_numerator: bool
    source_topic: str
    source_partition: int
    source_offset: int
    item: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CellQuestion:
    indicator: str
    subject_kind: str = ""
    subject_code: str = ""
    period_kind: str = ""
    period_key: str = ""
    part: str = ""
    page_size: int = 0
    page_token: str = ""


def cell_dossiers(connection: Connection, defs: Definitions, question: CellQuestion
                  ) -> tuple[list[CellDossierView], str, int]:
    """(page, next page token or "", total rows) of one cell's numerator or denominator."""
    if not question.indicator:
        raise QueryError("cần mã chỉ số (indicator), ví dụ K3", "indicator_required")
    indicators_checked([question.indicator], defs)
    indicator = defs.indicator(question.indicator)
    kind = kind_of(question.subject_kind, "unit", SubjectKind)
    if not indicator.applies_to(kind):
        raise not_applicable([indicator.code], kind)
    period_kind = PeriodKind(kind_of(question.period_kind, "campaign", PeriodKind))
    key = period_checked(defs, period_kind, question.period_key)
    part = question.part or "denominator"
    if part not in PARTS:
        raise QueryError(f"part là numerator (tử số) hoặc denominator (mẫu số), không phải "
                         f"{part!r}", "bad_part")
    code = unicodedata.normalize("NFC", question.subject_code)
    size, offset = page_of(question.page_size, question.page_token)
    first, last = defs.periods.bounds(period_kind, key)
    d = dossiers.c
    day = d[indicator.period_field]
    query = select(d.dossier_code, *(d[c] for c in STATE_COLUMNS), d.source_topic,
                   d.source_partition, d.source_offset).where(day >= first, day <= last)
    if kind == SubjectKind.UNIT.value:
        if not code:
            raise QueryError(SUBJECT_REQUIRED, "subject_required")
        query = query.where(d.unit_code == code)
    elif kind == SubjectKind.OFFICER.value:
        try:
            unit, name = split_officer_key(code)
        except ValueError:
            raise QueryError(f"{code!r} không phải mã cán bộ dạng đơn vị/họ tên, ví dụ "
                             "QLVT/Nguyễn Thị Hương", "bad_officer_key") from None
        query = query.where(d.unit_code == unit, d.receiving_officer == name)
    else:
        code = department_checked(defs, code)
        query = query.where(d.unit_code.in_(sorted(defs.participants)))
    rows = connection.execute(query.order_by(d.dossier_code)).all()
    listed = _rows(indicator, kind, code, rows, part)
    page = listed[offset:offset + size]
    more = offset + size < len(listed)
    return page, token_after(offset, size, more), len(listed)


def _rows(indicator: Indicator, kind: str, code: str, rows: Sequence[Any], part: str
          ) -> list[CellDossierView]:
    services = indicator.services(kind, code) if indicator.counts_services else frozenset()
    placed: list[CellDossierView] = []
    for row in rows:
        state = state_of_row(row)
        where = indicator.place(state)
        if where is None:
            continue
        if indicator.counts_services and state.procedure_code not in services:
            continue  # a use of a service outside the subject's: not in the figure
        counted = where[1]
        if part == "numerator" and not counted:
            continue
        placed.append(CellDossierView(
            dossier_code=row.dossier_code, procedure_code=state.procedure_code,
            unit_code=state.unit_code, officer=state.officer or "", channel=state.channel,
            status=state.status, payment=state.online_payment,
            received_at=state.received_on.isoformat() if state.received_on else "",
            in_numerator=counted, source_topic=row.source_topic,
            source_partition=row.source_partition, source_offset=row.source_offset,
            item=state.procedure_code if indicator.counts_services else "",
        ))
    if not indicator.counts_services or part == "numerator":
        return placed
    used = {view.procedure_code for view in placed}
    return [CellDossierView("", procedure, "", "", 0, 0, 0, "", procedure in used, "", 0, 0,
                            procedure) for procedure in sorted(services)]
