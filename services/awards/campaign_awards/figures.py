"""Reading figures back from the awards tables as domain cells: the current ones, or the ones
that stood at a time (by the figures' own time, `as_of`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from campaign_awards.domain.standings import Cell
from campaign_awards.store import cell_versions, cells

Cells = dict[str, dict[str, Cell]]  # subject code -> indicator -> cell


def as_cell(row: Any) -> Cell:
    return Cell(row.indicator, row.numerator, row.denominator, aware(row.as_of),
                row.campaign_version, row.catalogue_version, row.source_event_id,
                row.indicator_name, row.counted_unit)


def aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; every time stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def current(connection: Connection, period_key: str, subject_kind: str) -> Cells:
    found: Cells = {}
    for row in connection.execute(select(cells).where(
            cells.c.period_key == period_key, cells.c.subject_kind == subject_kind)):
        found.setdefault(row.subject_code, {})[row.indicator] = as_cell(row)
    return found


def versions(connection: Connection, period_key: str, subject_kind: str,
             subject_code: str | None = None) -> list[tuple[int, Cell, str]]:
    """(id, cell, subject code) of every figure a period held, in the order of their time."""
    query = select(cell_versions).where(cell_versions.c.period_key == period_key,
                                        cell_versions.c.subject_kind == subject_kind)
    if subject_code is not None:
        query = query.where(cell_versions.c.subject_code == subject_code)
    rows = [(r.id, as_cell(r), r.subject_code) for r in connection.execute(query)]
    rows.sort(key=lambda v: (v[1].as_of, v[0]))
    return rows


def standing_at(history: Iterable[tuple[int, Cell, str]], moment: datetime) -> Cells:
    """The figures as they stood at `moment`: each cell's latest version by then."""
    found: Cells = {}
    for _id, cell, subject in history:
        if cell.as_of > moment:
            break
        found.setdefault(subject, {})[cell.indicator] = cell
    return found
