"""The services' answers turned into what a page shows: plain dataclasses with the figures
people read, so that templates only lay them out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from campaign_contracts.campaign_file import Campaign


def decimal_or_none(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@dataclass(frozen=True)
class Column:
    code: str
    name: str
    target: str
    counted_unit: str


@dataclass(frozen=True)
class Cell:
    code: str
    numerator: int
    denominator: int
    rate: str
    target: str
    target_met: bool
    points: str
    counted_unit: str


@dataclass(frozen=True)
class Row:
    rank: int
    shared: bool
    code: str
    unit_code: str
    name: str
    points: str
    cells: dict[str, Cell]
    movement: int   # > 0 climbed, < 0 fell, 0 unchanged or unknown


@dataclass
class BoardView:
    period_key: str
    subject_kind: str
    as_of: str
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    updated_at: str = ""


def columns_of(standings_rows: Any, campaign: Campaign) -> list[Column]:
    """The indicators as the data names them, in the order the service sent them; the campaign
    file fills in a name or target the service left out."""
    seen: dict[str, Column] = {}
    for row in standings_rows:
        for cell in row.indicators:
            if cell.indicator in seen:
                continue
            rule = next((r for r in campaign.indicators if r.code == cell.indicator), None)
            seen[cell.indicator] = Column(
                cell.indicator, cell.indicator_name or (rule.name if rule else cell.indicator),
                cell.target or (str(rule.target) if rule else ""), cell.counted_unit)
    if not seen:
        return [Column(r.code, r.name, str(r.target), "") for r in campaign.indicators]
    return list(seen.values())


def cell_of(cell: Any) -> Cell:
    return Cell(cell.indicator, int(cell.numerator), int(cell.denominator), cell.rate,
                cell.target, bool(cell.target_met), cell.points, cell.counted_unit)


def board_view(standings: Any, campaign: Campaign, subject_kind: str = "unit") -> BoardView:
    """The rows of `subject_kind`; none when the service answered for another kind (one that
    ranks no officers yet answers with its units)."""
    answered_kind = standings.subject_kind or "unit"
    view = BoardView(standings.period_key, subject_kind, standings.as_of,
                     columns_of(standings.rows, campaign))
    if answered_kind != subject_kind:
        return view
    ranks = Counter(r.rank for r in standings.rows)
    for row in standings.rows:
        unit = campaign.unit(row.unit_code)
        name = row.subject_name or row.unit_name or (unit.name if unit else row.unit_code)
        movement = (row.previous_rank - row.rank) if row.previous_rank else 0
        view.rows.append(Row(
            rank=row.rank, shared=row.shared_rank or ranks[row.rank] > 1,
            code=row.subject_code or row.unit_code, unit_code=row.unit_code, name=name,
            points=row.total_points, cells={c.indicator: cell_of(c) for c in row.indicators},
            movement=movement))
        view.updated_at = max(view.updated_at, row.updated_at)
    return view


@dataclass(frozen=True)
class PeriodChoice:
    kind: str
    key: str
    label: str


def periods_from_campaign(campaign: Campaign) -> list[PeriodChoice]:
    """The campaign period and its months, when the awards service cannot list its periods."""
    choices = [PeriodChoice("campaign", campaign.period.key, "Cả đợt thi đua")]
    month = campaign.period.start.replace(day=1)
    while month <= campaign.period.end:
        choices.append(PeriodChoice("month", f"{month:%Y-%m}", f"Tháng {month.month}/{month.year}"))
        month = (month + timedelta(days=32)).replace(day=1)
    return choices


def periods_from_service(reply: Any) -> list[PeriodChoice]:
    return [PeriodChoice(p.kind, p.key, p.label) for p in reply.periods]


def end_of_day(day: date, campaign: Campaign) -> str:
    """The RFC 3339 moment a day ends, local time."""
    return datetime.combine(day, time(23, 59, 59), campaign.tz).isoformat()
