"""Applies inbound portal records a batch at a time, in the caller's transaction: validate each
(bad ones to the dead-letter outbox), keep each dossier's latest snapshot with the record that
placed it, and add to the indicator cells what changed — for every record, its dossier's old
contributions taken away and the new ones added (see domain/contributions.py). Also applies
catalogue versions: store them and recompute everything from the snapshots."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiokafka import ConsumerRecord
from sqlalchemy import Connection, delete, func, select

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.envelope import Event
from campaign_contracts.events import (
    CatalogueEntry,
    CatalogueLoaded,
    PortalRecordAccepted,
    PortalRecordDeadLettered,
)
from campaign_contracts.portal_record import RecordRejected
from campaign_kit.db import (
    driver_date,
    insert_for,
    upsert_many,
    upsert_statement,
    write_many,
)
from campaign_kit.outbox import add_many_to_outbox
from campaign_metrics import SERVICE
from campaign_metrics.adapters.cell_store import add_to_cells, add_to_usage
from campaign_metrics.adapters.decoder import LeanDecoder
from campaign_metrics.adapters.recompute import recompute
from campaign_metrics.adapters.snapshots import load_states
from campaign_metrics.adapters.tables import (
    catalogue_entries,
    dead_letters,
    definitions,
    dossiers,
    outbox,
)
from campaign_metrics.adapters.telemetry import MetricsTelemetry
from campaign_metrics.domain.catalogue import Catalogue
from campaign_metrics.domain.contributions import (
    CellChange,
    CellKey,
    Contributions,
    UsageKey,
    usage_cell,
)
from campaign_metrics.domain.definitions import Definitions, campaign_fingerprint
from campaign_metrics.domain.participants import definition_reports
from campaign_metrics.domain.state import DossierState

log = logging.getLogger(__name__)

RECORD_NAMESPACE = uuid.UUID("6f1c2a4e-8d7b-4c1e-9a43-0b5e2f6d7c10")
_SNAPSHOT_COLUMNS = [
    "dossier_code", "unit_code", "procedure_code", "channel", "status", "received_on",
    "online_payment", "fee_exempt", "receiving_officer", "finished_on", "finished_in_time",
    "known_to_catalogue", "source_topic", "source_partition", "source_offset", "record_at_ms",
]  # the order of _snapshot_row
_UPSERT_DOSSIER = upsert_statement(dossiers, ["dossier_code"], _SNAPSHOT_COLUMNS)


class DefinitionsMissing(RuntimeError):
    """No catalogue has been applied yet: records wait until one is."""


@dataclass(frozen=True)
class OutputTopics:
    dead_letter: str
    accepted: str
    indicators: str


def count_dead_letters(connection: Connection, by_reason: dict[str, int]) -> None:
    stmt: Any = insert_for(connection, dead_letters)
    stmt = stmt.on_conflict_do_update(
        index_elements=["reason"], set_={"records": dead_letters.c.records + stmt.excluded.records})
    connection.execute(stmt, [{"reason": r, "records": n} for r, n in sorted(by_reason.items())])


def record_source(record: ConsumerRecord[bytes, bytes]) -> str:
    return f"{record.topic}/{record.partition}/{record.offset}"


def record_id(source: str) -> uuid.UUID:
    """The inbound record is not an event; a stable id derived from its position lets the
    events it causes name it as their cause."""
    return uuid.uuid5(RECORD_NAMESPACE, source)


class MetricsProjection:
    def __init__(
        self, campaign: Campaign, topics: OutputTopics, telemetry: MetricsTelemetry,
        *, emit_accepted: bool = False,
    ) -> None:
        self.campaign = campaign
        self.fingerprint = campaign_fingerprint(campaign)
        self.topics = topics
        self.telemetry = telemetry
        self.emit_accepted = emit_accepted
        self._defs: Definitions | None = None
        self.reports: list[str] = []
        self.generation = 0
        """Counts the changes this instance made to the figures (readers' caches follow it)."""
        self.decoder = LeanDecoder(campaign.tz)
        self.participants = frozenset(u.code for u in campaign.units)
        self._contributions: Contributions | None = None

    # --- definitions ------------------------------------------------------------------------

    def definitions(self, connection: Connection, *, lock: bool = False) -> Definitions | None:
        """The definitions in force, as the database has them (another instance may have applied
        a new catalogue); None before the first catalogue. `lock` keeps a catalogue change from
        landing in the middle of this transaction (PostgreSQL; SQLite has one writer anyway)."""
        query = select(definitions).where(definitions.c.id == 1)
        if lock:
            query = query.with_for_update(read=True)
        row = connection.execute(query).one_or_none()
        if row is None:
            return None
        cached = self._defs
        if cached is not None and cached.catalogue_version == row.catalogue_version:
            return cached
        entries = [
            CatalogueEntry(procedure_code=e.procedure_code, procedure_name=e.procedure_name,
                           unit_code=e.unit_code, online_level=e.online_level,
                           has_fees=e.has_fees)
            for e in connection.execute(select(catalogue_entries))
        ]
        self._defs = self._in_force(Definitions(self.campaign, Catalogue.of(entries)))
        return self._defs

    def _in_force(self, defs: Definitions) -> Definitions:
        """New definitions in force: shown on the gauges, and every mismatch between the
        catalogue and the campaign file said once (domain.md, Who takes part)."""
        self.reports = definition_reports(self.campaign, defs.catalogue)
        for line in self.reports:
            log.warning("catalogue and campaign file disagree: %s", line,
                        extra={"catalogue_version": defs.catalogue_version,
                               "campaign_version": defs.campaign_version})
        self.telemetry.definition_reports.set(len(self.reports))
        self.telemetry.show_catalogue(defs.catalogue_version)
        return defs

    def _show_unattributed(self, connection: Connection, units: set[str] | None) -> None:
        """The unattributed-dossier gauge of these units (None: of every unit)."""
        participants = {u.code for u in self.campaign.units}
        d = dossiers.c
        query = select(d.unit_code, func.count()).group_by(d.unit_code)
        if units is not None:
            query = query.where(d.unit_code.in_(sorted(units)))
        counts = {row[0]: int(row[1]) for row in connection.execute(query)}
        for unit in (units if units is not None else set(counts)):
            if unit not in participants:
                self.telemetry.unattributed.labels(unit).set(counts.get(unit, 0))

    def contributions(self, defs: Definitions) -> Contributions:
        if self._contributions is None or self._contributions.defs is not defs:
            self._contributions = Contributions(defs)
        return self._contributions

    def apply_catalogue(self, connection: Connection, event: CatalogueLoaded) -> None:
        """Put a catalogue version in force and recompute every figure with it. The same
        version under the same campaign file changes nothing."""
        catalogue = Catalogue.from_event(event)
        current = connection.execute(
            select(definitions).where(definitions.c.id == 1).with_for_update()
        ).one_or_none()
        if (current is not None and current.catalogue_version == catalogue.version
                and current.campaign_fingerprint == self.fingerprint):
            return
        at_ms = int(event.occurred_at.timestamp() * 1000)
        connection.execute(delete(catalogue_entries))
        if catalogue.entries:
            connection.execute(catalogue_entries.insert(), [
                e.model_dump() for e in catalogue.entries
            ])
        self._put_in_force(connection, catalogue.version, event.source, at_ms)
        defs = Definitions(self.campaign, catalogue)
        self.generation += 1
        recompute(connection, defs, at_ms)
        self._defs = self._in_force(defs)
        self._show_unattributed(connection, None)

    def ensure_campaign(self, connection: Connection) -> bool:
        """At start: when the stored figures were computed with another campaign file (a new
        version, or an edit), recompute them with this one. True if it did."""
        current = connection.execute(
            select(definitions).where(definitions.c.id == 1).with_for_update()
        ).one_or_none()
        if current is None or current.campaign_fingerprint == self.fingerprint:
            return False
        self._defs = None
        self._put_in_force(connection, current.catalogue_version, current.catalogue_source,
                           current.catalogue_loaded_at_ms)
        defs = self.definitions(connection)
        assert defs is not None
        recompute(connection, defs, current.catalogue_loaded_at_ms)
        return True

    def _put_in_force(
        self, connection: Connection, catalogue_version: str, source: str, at_ms: int
    ) -> None:
        upsert_many(connection, definitions, [{
            "id": 1, "campaign_id": self.campaign.campaign_id,
            "campaign_version": self.campaign.version, "campaign_fingerprint": self.fingerprint,
            "catalogue_version": catalogue_version, "catalogue_source": source[:300],
            "catalogue_loaded_at_ms": at_ms,
        }], ["id"])

    # --- portal records -------------------------------------------------------------------

    def apply_batch(
        self, connection: Connection, records: Sequence[ConsumerRecord[bytes, bytes]]
    ) -> None:
        defs = self.definitions(connection, lock=True)
        if defs is None:
            raise DefinitionsMissing("no procedure catalogue is in force yet")
        self.generation += 1
        telemetry = self.telemetry
        telemetry.records_in.inc(len(records))
        outbox_rows: list[tuple[str, str | None, Event]] = []
        parsed: list[tuple[ConsumerRecord[bytes, bytes], str, DossierState]] = []
        rejected_by: dict[str, int] = {}
        decode = self.decoder.decode
        for record in records:
            try:
                code, state = decode(record.value or b"")
            except RecordRejected as rejected:
                outbox_rows.append(self._dead_letter(record, rejected))
                rejected_by[rejected.reason] = rejected_by.get(rejected.reason, 0) + 1
            else:
                parsed.append((record, code, state))
        current = load_states(connection, list({code for _, code, _ in parsed}))
        snapshots: dict[str, tuple[DossierState, bool, ConsumerRecord[bytes, bytes]]] = {}
        last_by_unit: dict[str, int] = {}
        catalogue = defs.catalogue
        contributions = self.contributions(defs)
        tally = contributions.tally()
        add = tally.add
        participants = self.participants
        outsiders: set[str] = set()
        for order, (record, code, state) in enumerate(parsed):
            at_ms = record.timestamp
            old = current.get(code)
            if state.unit_code not in participants:
                outsiders.add(state.unit_code)
            if old is not None and old.unit_code not in participants:
                outsiders.add(old.unit_code)  # moved away: its unit's count drops
            if old != state:  # a duplicate, or a change the indicators do not read, adds nothing
                add(old, -1, at_ms, order, record)
                add(state, 1, at_ms, order, record)
                current[code] = state
            unknown = catalogue.unknown_reason(state.unit_code, state.procedure_code)
            if unknown is not None:
                telemetry.unknown.inc()
            snapshots[code] = (state, unknown is None, record)
            if at_ms > last_by_unit.get(state.unit_code, -1):
                last_by_unit[state.unit_code] = at_ms
            if self.emit_accepted:
                outbox_rows.append(self._accepted(code, state, record_source(record),
                                                  unknown is None))
        cells, uses = tally.spread(record_source)
        to_date = driver_date(connection)
        write_many(connection, "upsert-dossiers", _UPSERT_DOSSIER, _SNAPSHOT_COLUMNS,
                   [_snapshot_row(code, state, known, record, to_date)
                    for code, (state, known, record) in snapshots.items()])
        self._count_services(connection, cells, uses, contributions)
        add_to_cells(connection, cells, defs)
        add_many_to_outbox(connection, outbox, outbox_rows)
        if rejected_by:
            count_dead_letters(connection, rejected_by)
        if outsiders:
            self._show_unattributed(connection, outsiders)
        for unit, at_ms in last_by_unit.items():
            telemetry.last_record.labels(unit).set(at_ms / 1000)

    @staticmethod
    def _count_services(
        connection: Connection, cells: dict[CellKey, CellChange], uses: dict[UsageKey, int],
        contributions: Contributions,
    ) -> None:
        """Service-counting indicators (K1): a service enters the numerator when its uses in
        the period go from none to some, and leaves it when they go back to none."""
        for use, after in add_to_usage(connection, uses).items():
            before = after - uses[use]
            if (before > 0) == (after > 0):
                continue
            if not contributions.is_service(use):
                continue
            change = cells.setdefault(usage_cell(use), CellChange())
            change.numerator += 1 if after > 0 else -1

    def _dead_letter(
        self, record: ConsumerRecord[bytes, bytes], rejected: RecordRejected
    ) -> tuple[str, str | None, Event]:
        self.telemetry.rejected.labels(rejected.reason).inc()
        source = record_source(record)
        cause = record_id(source)
        key = record.key.decode("utf-8", "replace") if record.key else None
        event = PortalRecordDeadLettered(
            producer=SERVICE, correlation_id=cause, causation_id=cause,
            reason=rejected.reason, detail=rejected.detail, source=source,
            key=key, original=record.value or b"",
        )
        return self.topics.dead_letter, key or "", event

    def _accepted(
        self, code: str, state: DossierState, source: str, known: bool
    ) -> tuple[str, str | None, Event]:
        cause = record_id(source)
        event = PortalRecordAccepted(
            producer=SERVICE, correlation_id=cause, causation_id=cause,
            dossier_code=code, unit_code=state.unit_code,
            procedure_code=state.procedure_code, received=state.received, source=source,
            known_to_catalogue=known,
        )
        return self.topics.accepted, code, event


def _snapshot_row(
    code: str, state: DossierState, known: bool, record: ConsumerRecord[bytes, bytes],
    to_date: Callable[[date | None], Any],
) -> tuple[Any, ...]:
    """A row of the snapshot table, in its columns' order (_SNAPSHOT_COLUMNS)."""
    return (
        code, state.unit_code, state.procedure_code, state.channel, state.status,
        to_date(state.received_on), state.online_payment, state.fee_exempt, state.officer,
        to_date(state.finished_on), state.finished_in_time, known, record.topic,
        record.partition, record.offset, record.timestamp,
    )
