"""Writes indicator changes to the cells as increments, in one statement per kind of change.

Increments (numerator = numerator + delta) rather than values computed in memory keep several
instances of the service correct side by side: each owns some partitions, all add to the same
cells, and the database serialises the additions. A service-counting indicator's (K1's)
numerator counts services whose uses went from none to some; the use counters come back from
the same statement that adds to them (RETURNING), so that each crossing of zero is seen
exactly once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection, case, true

from campaign_kit.db import insert_for, write_many
from campaign_metrics.adapters.tables import CELL_KEY, USAGE_KEY, indicator_cells, service_usage
from campaign_metrics.domain.contributions import CellChange, CellKey, UsageKey
from campaign_metrics.domain.definitions import Definitions

_CELL_COLUMNS = [
    *CELL_KEY, "numerator", "denominator", "campaign_version", "catalogue_version", "as_of_ms",
    "last_source", "dirty", "emitted_numerator", "emitted_denominator", "emitted_versions",
]  # the order of the rows add_to_cells writes


def add_to_cells(
    connection: Connection, changes: Mapping[CellKey, CellChange], defs: Definitions
) -> None:
    """Add each change to its cell (creating it on first use); every touched cell is
    marked dirty for the next announcement. Keys are written in sorted order so that two
    instances lock shared cells in the same order."""
    if not changes:
        return
    counts: list[tuple[Any, ...]] = []
    services: list[tuple[Any, ...]] = []
    versions = (defs.campaign_version, defs.catalogue_version)
    for key in sorted(changes):
        change = changes[key]
        if defs.indicator(key[0]).counts_services:
            # The denominator is the catalogue's services, not a sum: the row is made with it.
            denominator, rows = defs.denominator_services(key[0], key[1], key[2]), services
        else:
            denominator, rows = change.denominator, counts
        rows.append((*key, change.numerator, denominator, *versions, change.as_of_ms,
                     change.source, True, None, None, None))
    write_many(connection, "add-to-cells", _add_statement(adds_denominator=True),
               _CELL_COLUMNS, counts)
    write_many(connection, "add-to-service-cells", _add_statement(adds_denominator=False),
               _CELL_COLUMNS, services)


def _add_statement(*, adds_denominator: bool) -> Callable[[Connection], Any]:
    def build(connection: Connection) -> Any:
        c = indicator_cells.c
        stmt: Any = insert_for(connection, indicator_cells)
        new = stmt.excluded
        newer = new.as_of_ms >= c.as_of_ms
        return stmt.on_conflict_do_update(index_elements=CELL_KEY, set_={
            "numerator": c.numerator + new.numerator,
            "denominator": (c.denominator + new.denominator) if adds_denominator
            else c.denominator,
            "campaign_version": new.campaign_version,
            "catalogue_version": new.catalogue_version,
            "as_of_ms": case((newer, new.as_of_ms), else_=c.as_of_ms),
            "last_source": case((newer, new.last_source), else_=c.last_source),
            "dirty": true(),
        })
    return build


def add_to_usage(connection: Connection, deltas: Mapping[UsageKey, int]) -> dict[UsageKey, int]:
    """Add to the use counters; returns each counter's value after the addition."""
    rows = [
        dict(zip(USAGE_KEY, key, strict=True), dossiers=delta)
        for key, delta in sorted(deltas.items()) if delta
    ]
    if not rows:
        return {}
    u = service_usage.c
    stmt: Any = insert_for(connection, service_usage)
    stmt = stmt.on_conflict_do_update(
        index_elements=USAGE_KEY, set_={"dossiers": u.dossiers + stmt.excluded.dossiers}
    ).returning(u.indicator, u.subject_kind, u.subject_code, u.procedure_code, u.period_kind,
                u.period_key, u.dossiers)
    after: dict[UsageKey, int] = {}
    for row in connection.execute(stmt, rows):
        after[(row[0], row[1], row[2], row[3], row[4], row[5])] = int(row[6])
    return after
