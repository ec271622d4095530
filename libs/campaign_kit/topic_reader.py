"""Reading a topic as a log, outside a consumer group: the end each partition has now, and its
records from the beginning up to that end (a rebuild, a catalogue bootstrap, a benchmark).

The one way a service reads a topic besides its FastStream subscribers; it connects with the
same settings (bootstrap servers, SSL / SASL) as they do. Nothing is committed: whoever reads
keeps its own positions.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from campaign_kit.consumer import ApplyBatch, TrackedConsumer
from campaign_kit.settings import ServiceSettings
from campaign_kit.tls import kafka_admin_options

FETCH_BYTES_PER_PARTITION = 8 * 1024 * 1024  # a whole batch per fetch, not 1 MiB slices
FETCH_BYTES = 64 * 1024 * 1024


class TopicReader:
    """Reads topics of one Kafka cluster. `options` are aiokafka's client keywords (security)."""

    def __init__(self, bootstrap_servers: str, **options: Any) -> None:
        self.bootstrap_servers = bootstrap_servers
        self.options = options

    @classmethod
    def of(cls, settings: ServiceSettings) -> TopicReader:
        """A reader connected as the service's FastStream broker is (KAFKA_SECURITY_PROTOCOL,
        KAFKA_SSL_*, KAFKA_SASL_*); kafka-python's and aiokafka's keywords are the same."""
        return cls(settings.kafka_bootstrap_servers, **kafka_admin_options(settings))

    def _consumer(self, **overrides: Any) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers, enable_auto_commit=False, group_id=None,
            **{**self.options, **overrides},
        )

    async def end_offsets(self, topic: str) -> dict[int, int]:
        """The next offset of each partition of a topic (0 for an empty one; {} for a topic
        that does not exist)."""
        consumer = self._consumer()
        await consumer.start()
        try:
            return await _ends(consumer, topic)
        finally:
            await consumer.stop()

    async def batches(
        self, topic: str, max_records: int, ends: dict[int, int] | None = None,
    ) -> AsyncIterator[Sequence[ConsumerRecord[bytes, bytes]]]:
        """The topic's records from the beginning to `ends` (default: the ends it has when
        reading starts), in batches of at most `max_records`, each partition in order."""
        consumer = self._consumer(max_partition_fetch_bytes=FETCH_BYTES_PER_PARTITION,
                                  fetch_max_bytes=FETCH_BYTES)
        await consumer.start()
        try:
            if ends is None:
                ends = await _ends(consumer, topic)
            wanted = {p: end for p, end in ends.items() if end > 0}
            if not wanted:
                return
            partitions = [TopicPartition(topic, p) for p in sorted(wanted)]
            consumer.assign(partitions)
            await consumer.seek_to_beginning(*partitions)
            remaining = set(wanted)
            while remaining:
                fetched = await consumer.getmany(
                    *[TopicPartition(topic, p) for p in sorted(remaining)],
                    timeout_ms=1000, max_records=max_records)
                records: list[ConsumerRecord[bytes, bytes]] = []
                for tp, rows in fetched.items():
                    end = wanted[tp.partition]
                    if rows and rows[-1].offset >= end - 1:
                        remaining.discard(tp.partition)
                        rows = [r for r in rows if r.offset < end]
                    records.extend(rows)
                if records:
                    yield records
        finally:
            await consumer.stop()


async def replay(
    reader: TopicReader, topic: str, tracked: TrackedConsumer, apply: ApplyBatch,
    max_records: int, progress: Callable[[int], None] | None = None,
) -> int:
    """Apply a topic from its beginning to the end it has now, batch by batch, each in one
    transaction with the positions it reaches (a rebuild); returns records read."""
    read = 0
    async for records in reader.batches(topic, max_records):
        tracked.apply_batch(records, apply)
        read += len(records)
        if progress is not None:
            progress(read)
    return read


async def _ends(consumer: AIOKafkaConsumer, topic: str) -> dict[int, int]:
    partitions = consumer.partitions_for_topic(topic)
    if partitions is None:
        await consumer._client.force_metadata_update()
        partitions = consumer.partitions_for_topic(topic) or set()
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    offsets = await consumer.end_offsets(tps) if tps else {}
    return {tp.partition: offset for tp, offset in offsets.items()}
