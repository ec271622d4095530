"""GetStatus: whether the service has caught up, how fresh each source is (each portal calling
Ingest, each unit on the inbound topic), the dead letters by reason, the unattributed dossiers
per unit, and the definitions in force with what disagrees in them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Connection, func, select

from campaign_metrics.adapters.tables import dead_letters, dossiers


def iso_ms(ms: float | None) -> str:
    if ms is None or ms < 0:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


@dataclass(frozen=True)
class Freshness:
    kind: str  # portal or unit
    code: str
    last_record_at: str
    records: int


@dataclass(frozen=True)
class Unattributed:
    unit_code: str
    dossiers: int
    last_record_at: str


@dataclass
class Status:
    caught_up: bool = False
    lag: int = 0
    sources: list[Freshness] = field(default_factory=list)
    dead_letters: dict[str, int] = field(default_factory=dict)
    unattributed: list[Unattributed] = field(default_factory=list)
    campaign_version: str = ""
    catalogue_version: str = ""
    reports: list[str] = field(default_factory=list)
    catalogue_file_note: str = ""

    @property
    def unattributed_dossiers(self) -> int:
        return sum(u.dossiers for u in self.unattributed)


def units_and_dead_letters(connection: Connection, participants: frozenset[str]
                           ) -> tuple[list[Freshness], list[Unattributed], dict[str, int]]:
    """Per unit from the snapshots (last record, dossiers), the unattributed among them, and
    the dead letters of the inbound topic by reason."""
    d = dossiers.c
    units: list[Freshness] = []
    outside: list[Unattributed] = []
    for unit, last_ms, count in connection.execute(
        select(d.unit_code, func.max(d.record_at_ms), func.count()).group_by(d.unit_code)
        .order_by(d.unit_code)
    ):
        units.append(Freshness("unit", unit, iso_ms(last_ms), int(count)))
        if unit not in participants:
            outside.append(Unattributed(unit, int(count), iso_ms(last_ms)))
    dead = {row.reason: int(row.records) for row in connection.execute(select(dead_letters))}
    return units, outside, dead
