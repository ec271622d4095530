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
from campaign_metrics.adapters.tables import definitions, dossiers, indicator_cells
from campaign_metrics.domain.definitions import Definitions

MAX_PAGE = 5000
DEFAULT_PAGE = 500


class QueryError(ValueError):
    """A question that cannot be answered; `not_found` tells a missing subject from a bad one."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.not_found = not_found


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
        raise QueryError(f"{value!r} is not one of {allowed}") from None


def _indicators(values: list[str], defs: Definitions) -> list[str]:
    unknown = sorted(set(values) - defs.codes)
    if unknown:
        raise QueryError(f"unknown indicator: {', '.join(unknown)}")
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
        code = subject_code or defs.department
        if code != defs.department:
            raise QueryError(f"the department is {defs.department!r}", not_found=True)
    elif not subject_code:
        raise QueryError("subject_code is required for a unit or an officer")
    else:
        code = unicodedata.normalize("NFC", subject_code)
    key = period_key or (defs.periods.campaign_key if pkind is PeriodKind.CAMPAIGN else "")
    if not defs.periods.contains(pkind, key):
        raise QueryError(f"no {pkind.value} {key!r} in the campaign period "
                         f"{defs.periods.campaign_key}")
    wanted = _indicators(indicators, defs) or defs.applicable(kind.value)
    applicable = set(defs.applicable(kind.value))
    not_applicable = [i for i in wanted if i not in applicable]
    if not_applicable:
        article = "an" if kind is SubjectKind.OFFICER else "a"
        raise QueryError(f"{', '.join(not_applicable)} does not apply to {article} {kind.value}"
                         + " (not measured for this kind of subject)")
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
        raise QueryError(f"unknown unit {code!r}", not_found=True)
    if not rows and kind is SubjectKind.OFFICER and not _is_known_officer(connection, defs, code):
        raise QueryError(f"unknown officer {code!r} (an officer is named unit/name, e.g. "
                         "QLVT/Nguyễn Thị Hương)", not_found=True)
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


def page_of(page_size: int, page_token: str, default: int = DEFAULT_PAGE,
            most: int = MAX_PAGE) -> tuple[int, int]:
    """(size, offset) of a page asked for; a token that is not ours is an error."""
    size = default if page_size <= 0 else min(page_size, most)
    try:
        offset = int(page_token) if page_token else 0
    except ValueError:
        raise QueryError(f"bad page_token {page_token!r}") from None
    if offset < 0:
        raise QueryError(f"bad page_token {page_token!r}")
    return size, offset


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
        conditions.append(c.indicator.in_(_indicators(indicators, defs)))
    size, offset = page_of(page_size, page_token)
    order = [c.subject_kind, c.subject_code, c.period_kind, c.period_key, c.indicator]
    rows = connection.execute(
        select(indicator_cells).where(and_(True, *conditions)).order_by(*order)
        .offset(offset).limit(size + 1)
    ).all()
    more = len(rows) > size
    return [view(r, defs) for r in rows[:size]], str(offset + size) if more else ""


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
    return views, str(offset + size) if len(rows) > size else ""


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
