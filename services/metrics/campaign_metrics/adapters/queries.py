"""Read side: indicator figures for one subject and period, the stored cells filtered, the
catalogue in force and the dossiers the catalogue does not know. The gRPC API and the command
line both answer from here, so they print the same figures."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, select

from campaign_contracts.events import Figure, PeriodKind, SubjectKind, split_officer_key
from campaign_kit import api_values
from campaign_metrics.adapters.tables import definitions, dossiers, indicator_cells
from campaign_metrics.domain.definitions import Definitions


class QueryError(ValueError):
    """A question that cannot be answered: a Vietnamese message for people, a stable English
    `reason` for programs; `not_found` tells a missing subject from a bad question."""

    def __init__(self, message: str, reason: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.reason = reason
        self.not_found = not_found


SUBJECTS_VI = {"unit": "đơn vị", "officer": "cán bộ", "department": "Sở"}
PERIODS_VI = {"campaign": "đợt", "month": "tháng", "week": "tuần"}


def period_checked(defs: Definitions, kind: PeriodKind, key: str) -> str:
    """The period key asked for (the whole campaign by default), or a QueryError."""
    key = key or (defs.periods.campaign_key if kind is PeriodKind.CAMPAIGN else "")
    if not defs.periods.contains(kind, key):
        raise QueryError(f"không có {PERIODS_VI[kind.value]} {key!r} trong đợt thi đua "
                         f"{defs.periods.campaign_key} (tháng dạng 2024-07, tuần dạng 2024-W27)",
                         "unknown_period")
    return key


def not_applicable(codes: list[str], kind: str) -> QueryError:
    return QueryError(f"chỉ số {', '.join(codes)} không áp dụng cho {SUBJECTS_VI[kind]}",
                      "not_applicable")


def department_checked(defs: Definitions, code: str) -> str:
    if code and code != defs.department:
        raise QueryError(f"mã của Sở là {defs.department!r}, không phải {code!r}",
                         "unknown_department", not_found=True)
    return defs.department


SUBJECT_REQUIRED = ("cần mã đối tượng (subject_code): mã đơn vị, ví dụ QLVT, hoặc cán bộ dạng "
                    "đơn vị/họ tên, ví dụ QLVT/Nguyễn Thị Hương")


@dataclass(frozen=True)
class IndicatorView:
    indicator: str
    name: str  # for people, from the campaign file
    counted_unit: str  # what numerator and denominator count: hồ sơ, dịch vụ
    subject_kind: str
    subject_code: str
    period_kind: str
    period_key: str
    numerator: int
    denominator: int
    rate: str  # "0.4500"; empty for n/a
    target: str
    target_met: bool
    campaign_version: str
    catalogue_version: str
    as_of: str  # ISO time, empty when no record touched it

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _iso(ms: int | None) -> str:
    if ms is None or ms < 0:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


def view(row: Any, defs: Definitions) -> IndicatorView:
    figure = Figure.of(row.numerator, row.denominator)
    indicator = defs.indicator(row.indicator)
    target: Decimal = indicator.target
    return IndicatorView(
        indicator=row.indicator, name=indicator.name, counted_unit=indicator.counted_unit,
        subject_kind=row.subject_kind, subject_code=row.subject_code,
        period_kind=row.period_kind, period_key=row.period_key, numerator=row.numerator,
        denominator=row.denominator, rate="" if figure.rate is None else str(figure.rate),
        target=str(target), target_met=figure.meets(target),
        campaign_version=row.campaign_version, catalogue_version=row.catalogue_version,
        as_of=_iso(row.as_of_ms),
    )


def kind_of(value: str, default: str, enum: type[SubjectKind] | type[PeriodKind]) -> str:
    try:
        return enum(value or default).value
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise QueryError(f"{value!r} không phải một trong: {allowed}", "bad_kind") from None


def indicators_checked(values: list[str], defs: Definitions) -> list[str]:
    unknown = sorted(set(values) - defs.codes)
    if unknown:
        raise QueryError(f"đợt thi đua không có chỉ số {', '.join(unknown)} (có: "
                         f"{', '.join(sorted(defs.codes))})", "unknown_indicator")
    return list(values)


@dataclass
class _Zero:
    """A cell no dossier reached yet, shaped like a stored row."""

    indicator: str
    subject_kind: str
    subject_code: str
    period_kind: str
    period_key: str
    numerator: int
    denominator: int
    campaign_version: str
    catalogue_version: str
    as_of_ms: int | None = None


def get_indicators(
    connection: Connection, defs: Definitions, *, subject_kind: str, subject_code: str,
    period_kind: str, period_key: str, indicators: list[str],
) -> list[IndicatorView]:
    """Every applicable indicator of one subject over one period, stored or 0/0."""
    kind = SubjectKind(kind_of(subject_kind, "unit", SubjectKind))
    pkind = PeriodKind(kind_of(period_kind, "campaign", PeriodKind))
    if kind is SubjectKind.DEPARTMENT:
        code = department_checked(defs, subject_code)
    elif not subject_code:
        raise QueryError(SUBJECT_REQUIRED, "subject_required")
    else:
        code = unicodedata.normalize("NFC", subject_code)
    key = period_checked(defs, pkind, period_key)
    wanted = indicators_checked(indicators, defs) or defs.applicable(kind.value)
    applicable = set(defs.applicable(kind.value))
    missing = [i for i in wanted if i not in applicable]
    if missing:
        raise not_applicable(missing, kind.value)
    c = indicator_cells.c
    rows = {
        r.indicator: r for r in connection.execute(
            select(indicator_cells).where(
                c.subject_kind == kind.value, c.subject_code == code,
                c.period_kind == pkind.value, c.period_key == key, c.indicator.in_(wanted),
            )
        )
    }
    if not rows and kind is SubjectKind.UNIT and not _is_known_unit(connection, defs, code):
        raise QueryError(f"không có đơn vị {code!r} (không có trong tệp đợt thi đua, danh mục "
                         "thủ tục, hay hồ sơ nào)", "unknown_unit", not_found=True)
    if not rows and kind is SubjectKind.OFFICER and not _is_known_officer(connection, defs, code):
        raise QueryError(f"không có cán bộ {code!r} (cán bộ được gọi theo đơn vị/họ tên, ví dụ "
                         "QLVT/Nguyễn Thị Hương)", "unknown_officer", not_found=True)
    views = []
    for indicator in sorted(wanted):
        row: Any = rows.get(indicator)
        if row is None:
            denominator = defs.denominator_services(indicator, kind.value, code)
            row = _Zero(indicator, kind.value, code, pkind.value, key, 0, denominator,
                        defs.campaign_version, defs.catalogue_version)
        views.append(view(row, defs))
    return views


def _is_known_unit(connection: Connection, defs: Definitions, code: str) -> bool:
    if defs.campaign.unit(code) is not None or code in defs.catalogue.units:
        return True
    return connection.execute(
        select(dossiers.c.dossier_code).where(dossiers.c.unit_code == code).limit(1)
    ).first() is not None


def _is_known_officer(connection: Connection, defs: Definitions, key: str) -> bool:
    """An officer of the campaign file, or one a dossier names as its receiving officer."""
    try:
        unit, name = split_officer_key(key)
    except ValueError:
        return False
    if any((o.unit_code, o.name) == (unit, name) for o in defs.campaign.officers):
        return True
    d = dossiers.c
    return connection.execute(
        select(d.dossier_code).where(d.unit_code == unit, d.receiving_officer == name).limit(1)
    ).first() is not None


def page_of(page_size: int, page_token: str) -> tuple[int, int]:
    """(size, offset) of a page asked for, in the one page style of docs/api.md (1..500, 0 the
    default, an opaque token); a page the API refuses is a QueryError with its reason code."""
    try:
        return api_values.page_size(page_size), api_values.page_offset(page_token)
    except api_values.BadPage as bad:
        raise QueryError(bad.message, bad.reason) from None


def token_after(offset: int, size: int, more: bool) -> str:
    """The next page's token, or "" on the last page."""
    return api_values.next_page_token(offset + size) if more else ""


def list_indicators(
    connection: Connection, defs: Definitions, *, subject_kind: str = "",
    subject_code: str = "", period_kind: str = "", period_key: str = "",
    indicators: list[str] | None = None, page_size: int = 0, page_token: str = "",
) -> tuple[list[IndicatorView], str]:
    """Stored cells matching every filter given; returns (page, next page token or "")."""
    c = indicator_cells.c
    conditions = []
    if subject_kind:
        conditions.append(c.subject_kind == kind_of(subject_kind, "", SubjectKind))
    if subject_code:
        conditions.append(c.subject_code == subject_code)
    if period_kind:
        conditions.append(c.period_kind == kind_of(period_kind, "", PeriodKind))
    if period_key:
        conditions.append(c.period_key == period_key)
    if indicators:
        conditions.append(c.indicator.in_(indicators_checked(indicators, defs)))
    size, offset = page_of(page_size, page_token)
    order = [c.subject_kind, c.subject_code, c.period_kind, c.period_key, c.indicator]
    rows = connection.execute(
        select(indicator_cells).where(and_(True, *conditions)).order_by(*order)
        .offset(offset).limit(size + 1)
    ).all()
    more = len(rows) > size
    return [view(r, defs) for r in rows[:size]], token_after(offset, size, more)


@dataclass(frozen=True)
class UnknownDossierView:
    dossier_code: str
    unit_code: str
    procedure_code: str
    reason: str
    source: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def unknown_dossiers(
    connection: Connection, defs: Definitions, *, page_size: int = 0, page_token: str = "",
) -> tuple[list[UnknownDossierView], str]:
    d = dossiers.c
    size, offset = page_of(page_size, page_token)
    rows = connection.execute(
        select(d.dossier_code, d.unit_code, d.procedure_code, d.source_topic,
               d.source_partition, d.source_offset)
        .where(d.known_to_catalogue.is_(False)).order_by(d.dossier_code)
        .offset(offset).limit(size + 1)
    ).all()
    views = [
        UnknownDossierView(
            dossier_code=r.dossier_code, unit_code=r.unit_code, procedure_code=r.procedure_code,
            reason=defs.catalogue.unknown_reason(r.unit_code, r.procedure_code) or "",
            source=f"{r.source_topic}/{r.source_partition}/{r.source_offset}",
        )
        for r in rows[:size]
    ]
    return views, token_after(offset, size, len(rows) > size)


@dataclass(frozen=True)
class CatalogueInForce:
    version: str
    source: str
    loaded_at: str
    entries: list[dict[str, Any]]


def catalogue_in_force(connection: Connection, defs: Definitions | None) -> CatalogueInForce:
    row = connection.execute(select(definitions).where(definitions.c.id == 1)).one_or_none()
    if row is None or defs is None:
        return CatalogueInForce("", "", "", [])
    return CatalogueInForce(
        version=row.catalogue_version, source=row.catalogue_source,
        loaded_at=_iso(row.catalogue_loaded_at_ms),
        entries=[e.model_dump() for e in sorted(
            defs.catalogue.entries, key=lambda e: (e.unit_code, e.procedure_code))],
    )
