"""A service's read model, compared without knowing the service: every table of its database
(reflected, so a rewritten service is compared the same way) as a multiset of rows, leaving out
the bookkeeping tables and the columns whose values belong to one run (event ids, Kafka
positions and timestamps, wall-clock times) rather than to the figures.

A service that wants a narrower or richer comparison can add an entry to READERS (e.g. a gRPC
read or a dump command); the database comparison stays the default."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import MetaData, create_engine, select

# The notifier's replay clock anchor is when each run started: bookkeeping too.
BOOKKEEPING = {"consumed_positions", "outbox", "clock_anchor"}
# Columns that differ between two correct runs of the same log.
RUN_SPECIFIC = re.compile(
    r"(^|_)(id|ids|at|at_ms|ms|on_ms|time|timestamp|topic|partition|offset|source|sources|"
    r"attempts?|error|last_error|fingerprint|as_of)$"
)

# What two correct runs share is the final state, not the path to it: records on different
# partitions interleave differently, and metrics coalesces its updates by time, so the
# intermediate versions of a figure, the rank a standing had before its last change, and a
# candidate proposed on passing figures and withdrawn again are timing, not faults.
HISTORY_TABLES = {"cell_versions", "schedule_marks"}
PATH_COLUMNS = re.compile(r"^(previous_rank|previous_points|state_since|withdrawn_reason|"
                          r"reason)$")
EVIDENCE_RUN_KEYS = ("evaluated_at", "source_event_ids")
# A candidate that is no longer open is a step on the way; the open ones are the outcome.
CLOSED_CANDIDATE: dict[str, set[Any]] = {"status": {"withdrawn"}, "proposed": {False},
                                     "open": {False}}

Rows = Counter[tuple[Any, ...]]


@dataclass(frozen=True)
class TableDump:
    columns: tuple[str, ...]
    rows: Rows


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def _value(column: str, value: Any) -> Any:
    if column == "evidence" and isinstance(value, str):
        evidence = json.loads(value)
        for key in EVIDENCE_RUN_KEYS:
            evidence.pop(key, None)
        return json.dumps(evidence, sort_keys=True, ensure_ascii=False)
    return _plain(value)


def dump_database(url: str, skip_columns: re.Pattern[str] = RUN_SPECIFIC
                  ) -> dict[str, TableDump]:
    engine = create_engine(url)
    try:
        metadata = MetaData()
        metadata.reflect(engine)
        dumps: dict[str, TableDump] = {}
        with engine.connect() as connection:
            for table in metadata.sorted_tables:
                if table.name in BOOKKEEPING or table.name in HISTORY_TABLES:
                    continue
                candidates = table.name == "candidates"
                kept = [c for c in table.columns if not skip_columns.search(c.name)
                        and not (PATH_COLUMNS.match(c.name) and table.name != "dead_letters")]
                if not kept:
                    continue
                closed = [c for c in table.columns if candidates and c.name in CLOSED_CANDIDATE]
                rows = connection.execute(select(*kept, *closed)).all()
                names = tuple(c.name for c in kept)
                dumps[table.name] = TableDump(names, Counter(
                    tuple(_value(name, v) for name, v in zip(names, row, strict=False))
                    for row in rows
                    if not any(row[len(kept) + i] in CLOSED_CANDIDATE[c.name]
                               for i, c in enumerate(closed))
                ))
        return dumps
    finally:
        engine.dispose()


Reader = Callable[[str], dict[str, TableDump]]
READERS: dict[str, Reader] = {}  # service -> its own reader; default: dump_database


@dataclass(frozen=True)
class Difference:
    service: str
    table: str
    only_faulty: list[tuple[Any, ...]]
    only_clean: list[tuple[Any, ...]]


def compare(service: str, faulty: dict[str, TableDump], clean: dict[str, TableDump]
            ) -> list[Difference]:
    differences = []
    for table in sorted(set(faulty) | set(clean)):
        left = faulty.get(table, TableDump((), Counter())).rows
        right = clean.get(table, TableDump((), Counter())).rows
        if left != right:
            differences.append(Difference(
                service, table, sorted((left - right).elements(), key=repr)[:5],
                sorted((right - left).elements(), key=repr)[:5]))
    return differences


def row_counts(dumps: dict[str, TableDump]) -> dict[str, int]:
    return {table: sum(d.rows.values()) for table, d in dumps.items()}
