"""Recomputes every indicator cell and service use counter from the stored dossier snapshots, with
new definitions (a catalogue version, or another campaign file). Uses the same contribution
functions as the stream, so the two cannot disagree; cells whose value or versions change
become dirty and are announced at the next flush."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, select, update

from campaign_kit.db import upsert_many
from campaign_metrics.adapters.snapshots import STATE_COLUMNS, state_of_row
from campaign_metrics.adapters.tables import (
    CELL_KEY,
    USAGE_KEY,
    catalogue_entries,
    dossiers,
    indicator_cells,
    service_usage,
)
from campaign_metrics.domain.contributions import (
    CellChange,
    CellKey,
    Contributions,
    UsageKey,
    usage_cell,
)
from campaign_metrics.domain.definitions import Definitions

_STREAM_ROWS = 10_000


def _computed(connection: Connection, defs: Definitions, at_ms: int) -> tuple[
        dict[CellKey, CellChange], dict[UsageKey, int]]:
    contributions = Contributions(defs)
    tally = contributions.tally()
    add = tally.add
    d = dossiers.c
    query = select(*(d[name] for name in STATE_COLUMNS), d.source_topic, d.source_partition,
                   d.source_offset, d.record_at_ms)
    result = connection.execute(query.execution_options(yield_per=_STREAM_ROWS))
    for order, row in enumerate(result):
        source = (row.source_topic, row.source_partition, row.source_offset)
        add(state_of_row(row), 1, row.record_at_ms, order, source)
    cells, uses = tally.spread(lambda source: "{}/{}/{}".format(*source))
    for use, count in uses.items():
        if count > 0 and contributions.is_service(use):
            cells.setdefault(usage_cell(use), CellChange()).numerator += 1
    # Service-counting cells exist for every period of the campaign's and the catalogue's
    # units, whether or not a dossier came.
    for indicator in defs.indicators:
        if not indicator.counts_services:
            continue
        for kind, code in defs.always_present():
            if not indicator.applies_to(kind):
                continue
            online = len(indicator.services(kind, code))
            for period_kind, period_key in defs.periods.all():
                change = cells.setdefault(
                    (indicator.code, kind, code, period_kind.value, period_key), CellChange()
                )
                change.denominator = online
    for change in cells.values():
        if change.as_of_ms < 0:
            change.as_of_ms = at_ms
    return cells, uses


def _undated_ms(defs: Definitions, at_ms: int) -> int:
    """The time of a cell no record touched: the definitions' own time, but never after the
    campaign's first day. Such a cell (0 of a unit's online services, say) holds from the start,
    so its version never stands after the records that later move it — a replay of 2024 loads
    its catalogue in 2026, and history and forecasts read figures by their time."""
    start = datetime.combine(defs.campaign.period.start, time(), defs.campaign.tz)
    return min(at_ms, int(start.timestamp() * 1000))


def recompute(connection: Connection, defs: Definitions, at_ms: int) -> None:
    """Replace every cell's figure and every use counter by what the snapshots give under
    `defs`; `at_ms` (the definitions' own time) dates the cells no record touched, at the
    latest the campaign's first day."""
    at_ms = _undated_ms(defs, at_ms)
    cells, uses = _computed(connection, defs, at_ms)
    # An indicator the campaign file no longer declares leaves with its cells (nothing can
    # name it any more: no target, no name, no plug-in).
    connection.execute(delete(indicator_cells).where(
        indicator_cells.c.indicator.not_in(sorted(defs.codes))))
    existing: dict[CellKey, Any] = {
        (r.indicator, r.subject_kind, r.subject_code, r.period_kind, r.period_key): r
        for r in connection.execute(select(indicator_cells))
    }
    rows = []
    for key in sorted(cells.keys() | existing.keys()):
        change = cells.get(key) or CellChange(as_of_ms=at_ms)
        before = existing.get(key)
        numerator, denominator = (change.numerator, change.denominator)
        as_of_ms, source = change.as_of_ms, change.source
        dirty = True
        if before is not None:
            if before.as_of_ms > as_of_ms:
                as_of_ms, source = before.as_of_ms, before.last_source
            unchanged = (before.numerator, before.denominator, before.campaign_version,
                         before.catalogue_version) == (numerator, denominator,
                                                       defs.campaign_version,
                                                       defs.catalogue_version)
            dirty = bool(before.dirty) or not unchanged
        rows.append({
            **dict(zip(CELL_KEY, key, strict=True)),
            "numerator": numerator, "denominator": denominator,
            "campaign_version": defs.campaign_version,
            "catalogue_version": defs.catalogue_version,
            "as_of_ms": as_of_ms, "last_source": source, "dirty": dirty,
        })
    for start in range(0, len(rows), 5000):
        upsert_many(connection, indicator_cells, rows[start:start + 5000], CELL_KEY)
    connection.execute(delete(service_usage))
    usage_rows = [dict(zip(USAGE_KEY, key, strict=True), dossiers=count)
                  for key, count in sorted(uses.items()) if count]
    for start in range(0, len(usage_rows), 5000):
        connection.execute(service_usage.insert(), usage_rows[start:start + 5000])
    d, e = dossiers.c, catalogue_entries.c
    connection.execute(update(dossiers).values(known_to_catalogue=exists().where(
        and_(e.procedure_code == d.procedure_code, e.unit_code == d.unit_code)
    )))
