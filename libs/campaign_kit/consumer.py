"""Tracked consumers: a projection writes its update and the position it consumed in one
database transaction, and resumes from that stored position.

The stored position is the only committed offset: Kafka group offsets are not used (the
subscriber runs with AckPolicy.MANUAL and auto-commit off). On partition assignment each
partition is sought to the record after the stored one, or to the beginning when there is
none, so an empty database rebuilds itself from the log. A redelivered record is recognised
by its offset and changes nothing. Bad input never raises (handlers dead-letter it); any other
error rewinds the partition to the failing record and retries after a pause, so an outage of
the database never skips a record.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from aiokafka import ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from prometheus_client import CollectorRegistry, Counter, Gauge
from sqlalchemy import Connection, Table, select

from campaign_kit.db import Database, upsert

log = logging.getLogger(__name__)

Apply = Callable[[Connection, ConsumerRecord[bytes, bytes]], None]
ApplyBatch = Callable[[Connection, Sequence[ConsumerRecord[bytes, bytes]]], None]
"""Applies records not seen before, in their order, inside the caller's transaction."""


class _HasConsumer(Protocol):
    consumer: Any


class ConsumerMetrics:
    """The counters of a service's tracked consumers, and the consumers themselves (for the
    catch-up watch, campaign_kit.catch_up)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.tracked: list[TrackedConsumer] = []
        self.applied = Counter(
            "projection_records_applied_total", "Records applied by a projection",
            ["consumer", "topic"], registry=registry,
        )
        self.duplicates = Counter(
            "projection_records_duplicate_total",
            "Redelivered records recognised by their stored position and skipped",
            ["consumer", "topic"], registry=registry,
        )
        self.failures = Counter(
            "projection_failures_total", "Errors that rewound a partition for a retry",
            ["consumer", "topic"], registry=registry,
        )
        self.dead_lettered = Counter(
            "dead_letters_total",
            "Unreadable events sent to a dead-letter topic with the reason, instead of skipped",
            ["consumer", "topic", "reason"], registry=registry,
        )
        self.position = Gauge(
            "projection_position", "Last offset a projection consumed",
            ["consumer", "topic", "partition"], registry=registry,
        )


PublishDeadLetter = Callable[[ConsumerRecord[bytes, bytes], str, str], Awaitable[None]]
"""Publishes (record, reason code, detail) to the record's dead-letter topic."""

PROGRESS_EVERY_S = 10.0


class _Progress:
    """One INFO line per consumer at most every PROGRESS_EVERY_S for single-record consumers
    (per-record detail is DEBUG): a busy demo must not write a line per event."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.applied = self.duplicates = self.dead = 0
        self.since = time.monotonic()

    def note(self, record: ConsumerRecord[bytes, bytes], outcome: str) -> None:
        if outcome == "applied":
            self.applied += 1
        elif outcome == "duplicate":
            self.duplicates += 1
        else:
            self.dead += 1
        if log.isEnabledFor(logging.DEBUG):
            log.debug("record " + outcome, extra={
                "consumer": self.name, "topic": record.topic, "partition": record.partition,
                "offset": record.offset, "correlation_id": correlation_id(record.value)})
        now = time.monotonic()
        if now - self.since >= PROGRESS_EVERY_S:
            log.info("records consumed", extra={
                "consumer": self.name, "applied": self.applied, "duplicates": self.duplicates,
                "dead_lettered": self.dead, "topic": record.topic,
                "last_offset": record.offset, "seconds": round(now - self.since, 1)})
            self.applied = self.duplicates = self.dead = 0
            self.since = now


def correlation_id(value: bytes | None) -> str | None:
    """The envelope's correlation id, if the record is an event (for DEBUG lines only)."""
    try:
        found = json.loads(value or b"null")
    except ValueError:
        return None
    return str(found.get("correlation_id")) if isinstance(found, dict) else None


class TrackedConsumer:
    """Applies records exactly once to a database, by storing positions with the change."""

    def __init__(
        self, name: str, db: Database, positions: Table, metrics: ConsumerMetrics,
        retry_pause: float = 1.0,
    ) -> None:
        self.name = name
        self.db = db
        self.positions = positions
        self.metrics = metrics
        self.retry_pause = retry_pause
        self._failures_in_a_row = 0
        self._progress = _Progress(name)
        self._listeners: list[ResumeFromStoredPositions] = []
        metrics.tracked.append(self)

    def subscribers(self) -> list[Any]:
        """The subscribers it serves (each has its aiokafka `consumer` once started)."""
        return [listener.subscriber for listener in self._listeners
                if listener.subscriber is not None]

    def stored_positions(self) -> dict[tuple[str, int], int]:
        """Every stored position of this consumer: (topic, partition) -> last applied offset."""
        c = self.positions.c
        with self.db.begin() as connection:
            rows = connection.execute(
                select(c.topic, c.partition, c.offset).where(c.consumer == self.name))
            return {(row.topic, row.partition): row.offset for row in rows}

    def stored_position(self, topic: str, partition: int) -> int | None:
        with self.db.begin() as connection:
            return self._position(connection, topic, partition)

    def _position(self, connection: Connection, topic: str, partition: int) -> int | None:
        c = self.positions.c
        return connection.execute(
            select(c.offset).where(
                c.consumer == self.name, c.topic == topic, c.partition == partition
            )
        ).scalar_one_or_none()

    def apply(self, record: ConsumerRecord[bytes, bytes], apply: Apply) -> bool:
        """Apply one record in one transaction with its position; False if already applied."""
        with self.db.begin() as connection:
            stored = self._position(connection, record.topic, record.partition)
            if stored is not None and record.offset <= stored:
                self.metrics.duplicates.labels(self.name, record.topic).inc()
                return False
            apply(connection, record)
            upsert(
                connection, self.positions,
                {"consumer": self.name, "topic": record.topic,
                 "partition": record.partition, "offset": record.offset},
                ["consumer", "topic", "partition"],
            )
        self.metrics.applied.labels(self.name, record.topic).inc()
        self.metrics.position.labels(self.name, record.topic, str(record.partition)).set(
            record.offset
        )
        return True

    async def handle(self, message: Any, apply: Apply) -> bool:
        """Run `apply` for a FastStream KafkaMessage; on error rewind and retry after a pause."""
        record: ConsumerRecord[bytes, bytes] = message.raw_message
        try:
            applied = self.apply(record, apply)
        except Exception:
            await self._retry_later(message, record, "projection failed; retrying the record")
            return False
        self._failures_in_a_row = 0
        self._progress.note(record, "applied" if applied else "duplicate")
        return applied

    async def dead_letter(self, message: Any, reason: str, detail: str,
                          publish: PublishDeadLetter) -> bool:
        """Send an unreadable record to its dead-letter topic with the reason, then store its
        position (so it is sent once, and neither skipped silently nor retried forever). A
        failure to publish rewinds and retries like any other."""
        record: ConsumerRecord[bytes, bytes] = message.raw_message
        try:
            stored = self.stored_position(record.topic, record.partition)
            if stored is not None and record.offset <= stored:
                self.metrics.duplicates.labels(self.name, record.topic).inc()
                return False
            await publish(record, reason, detail)
            self.apply(record, lambda _connection, _record: None)
        except Exception:
            await self._retry_later(message, record, "dead-lettering failed; retrying the record")
            return False
        self._failures_in_a_row = 0
        self.metrics.dead_lettered.labels(self.name, record.topic, reason).inc()
        log.warning("event dead-lettered", extra={
            "consumer": self.name, "topic": record.topic, "partition": record.partition,
            "offset": record.offset, "reason": reason, "detail": detail[:500]})
        self._progress.note(record, "dead-lettered")
        return True

    async def _retry_later(self, message: Any, record: ConsumerRecord[bytes, bytes],
                           what: str, records: int = 1) -> None:
        self._failures_in_a_row += 1
        self.metrics.failures.labels(self.name, record.topic).inc()
        pause = min(self.retry_pause * 2 ** (self._failures_in_a_row - 1), 30.0)
        log.exception(what, extra={
            "consumer": self.name, "topic": record.topic, "partition": record.partition,
            "offset": record.offset, "records": records, "retry_in_s": pause})
        await asyncio.sleep(pause)
        await message.nack()  # seek back to this record (each partition's first, for a batch)

    def apply_batch(
        self, records: Sequence[ConsumerRecord[bytes, bytes]], apply: ApplyBatch
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """Apply a batch in one transaction with the positions it reaches; returns the records
        that were new. Records at or below a partition's stored position are skipped, so a batch
        redelivered in whole or in part changes nothing twice."""
        with self.db.begin() as connection:
            stored = {
                (topic, partition): self._position(connection, topic, partition)
                for topic, partition in {(r.topic, r.partition) for r in records}
            }
            fresh = []
            for record in records:
                position = stored[(record.topic, record.partition)]
                if position is None or record.offset > position:
                    fresh.append(record)
            if fresh:
                apply(connection, fresh)
                reached: dict[tuple[str, int], int] = {}
                for record in fresh:
                    reached[(record.topic, record.partition)] = max(
                        record.offset, reached.get((record.topic, record.partition), -1)
                    )
                for (topic, partition), offset in sorted(reached.items()):
                    upsert(
                        connection, self.positions,
                        {"consumer": self.name, "topic": topic, "partition": partition,
                         "offset": offset},
                        ["consumer", "topic", "partition"],
                    )
        counts: dict[str, list[int]] = {}  # topic -> [read, applied]
        for record in records:
            counts.setdefault(record.topic, [0, 0])[0] += 1
        last: dict[tuple[str, int], int] = {}
        for record in fresh:
            counts[record.topic][1] += 1
            last[(record.topic, record.partition)] = record.offset
        for topic, (read, applied) in counts.items():
            if applied:
                self.metrics.applied.labels(self.name, topic).inc(applied)
            if read > applied:
                self.metrics.duplicates.labels(self.name, topic).inc(read - applied)
        for (topic, partition), offset in last.items():
            self.metrics.position.labels(self.name, topic, str(partition)).set(offset)
        return fresh

    def unseen(self, records: Sequence[ConsumerRecord[bytes, bytes]]
               ) -> list[ConsumerRecord[bytes, bytes]]:
        """The records past their partition's stored position (read outside any change)."""
        with self.db.begin() as connection:
            stored = {
                (topic, partition): self._position(connection, topic, partition)
                for topic, partition in {(r.topic, r.partition) for r in records}
            }
        return [r for r in records if (position := stored[(r.topic, r.partition)]) is None
                or r.offset > position]

    async def handle_batch(
        self, message: Any, apply: ApplyBatch,
        prepare: Callable[[Sequence[ConsumerRecord[bytes, bytes]]], Awaitable[None]] | None
        = None,
    ) -> list[ConsumerRecord[bytes, bytes]]:
        """`apply_batch` for a FastStream batch KafkaMessage; on error rewind every partition of
        the batch to its first record and retry after a pause. Returns the records applied.
        `prepare` is awaited first with the batch (e.g. to dead-letter unreadable records); a
        failure there is retried the same way."""
        records: Sequence[ConsumerRecord[bytes, bytes]] = message.raw_message
        try:
            if prepare is not None:
                await prepare(records)
            applied = self.apply_batch(records, apply)
        except Exception:
            await self._retry_later(message, records[0], "projection failed; retrying the batch",
                                    len(records))
            return []
        self._failures_in_a_row = 0
        if records:
            log.info("batch consumed", extra={
                "consumer": self.name, "topic": records[0].topic, "records": len(records),
                "applied": len(applied), "first_offset": records[0].offset,
                "last_offset": records[-1].offset})
        if log.isEnabledFor(logging.DEBUG):
            for record in applied:
                log.debug("record applied", extra={
                    "consumer": self.name, "topic": record.topic, "partition": record.partition,
                    "offset": record.offset, "key": record.key,
                    "correlation_id": correlation_id(record.value)})
        return applied

    def resume_listener(self) -> ResumeFromStoredPositions:
        listener = ResumeFromStoredPositions(self)
        self._listeners.append(listener)
        return listener


class ResumeFromStoredPositions(ConsumerRebalanceListener):  # type: ignore[misc]
    """Seeks each assigned partition to its stored position. `bind` it to the subscriber it
    serves once that exists (the subscriber is created with the listener)."""

    def __init__(self, tracked: TrackedConsumer) -> None:
        self.tracked = tracked
        self.subscriber: _HasConsumer | None = None

    def bind(self, subscriber: _HasConsumer) -> None:
        self.subscriber = subscriber

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        return None

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        assert self.subscriber is not None, "bind the listener to its subscriber"
        consumer = self.subscriber.consumer
        for tp in assigned:
            stored = self.tracked.stored_position(tp.topic, tp.partition)
            if stored is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, stored + 1)
            log.info(
                "partition assigned",
                extra={"consumer": self.tracked.name, "topic": tp.topic,
                       "partition": tp.partition, "resume_after": stored},
            )
