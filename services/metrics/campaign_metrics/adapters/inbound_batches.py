"""Accepted Ingest records onto the inbound topic in batches, through the FastStream broker's
producer: one publish per batch and partition instead of one per record (FastStream's
per-message publish cost ~0.2 ms of CPU, which capped Ingest near 2,000 records/s).

A batch goes to one partition, so the partition is chosen here the way a keyed send chooses it
(the producer's default partitioner over the topic's partitions): one dossier keeps one
partition, and its records their order, whichever way they came in."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from aiokafka.partitioner import DefaultPartitioner
from faststream.kafka import KafkaBroker, KafkaPublishMessage
from faststream.kafka.exceptions import BatchBufferOverflowException

from campaign_contracts.portal_record import PortalRecord
from campaign_kit.runtime import PRODUCER_BATCH_BYTES

Record = tuple[bytes, bytes]  # (key, value)

# Below the producer's batch size (the kit's PRODUCER_BATCH_BYTES), counting each record's
# framing: a batch that would not fit is split, never refused.
BATCH_BYTES = PRODUCER_BATCH_BYTES - 16 * 1024
RECORD_FRAMING = 80


class BatchPublisher(Protocol):
    """A FastStream batch publisher (`broker.publisher(topic, batch=True)`)."""

    async def publish(self, *messages: Any, topic: str = "", partition: int | None = None,
                      headers: dict[str, str] | None = None, no_confirm: bool = False
                      ) -> Any: ...


class InboundBatches:
    """Collects records per partition; `add` and `close` hand full batches to the producer and
    return their futures (resolved when the broker has the batch, or raising its refusal)."""

    def __init__(self, publisher: BatchPublisher, topic: str,
                 partitions: Callable[[], Awaitable[int]]) -> None:
        self.publisher = publisher
        self.topic = topic
        self.partitions = partitions
        self._partitioner = DefaultPartitioner()
        self._all: list[int] = []
        self._open: dict[int, list[Record]] = {}
        self._sizes: dict[int, int] = {}

    async def start(self) -> None:
        """Learns the topic's partitions (once per stream: they may grow between streams)."""
        self._all = list(range(await self.partitions()))

    async def add(self, key: bytes, value: bytes) -> list[asyncio.Future[Any]]:
        # The keyed partitioner's murmur2 is pure Python (~6 µs a record): not needed when
        # there is one partition.
        partition = self._partitioner(key, self._all, self._all) if len(self._all) > 1 else 0
        batch = self._open.setdefault(partition, [])
        batch.append((key, value))
        size = self._sizes.get(partition, 0) + len(key) + len(value) + RECORD_FRAMING
        self._sizes[partition] = size
        if size < BATCH_BYTES:
            return []
        return await self._send(partition)

    async def close(self) -> list[asyncio.Future[Any]]:
        futures = []
        for partition in list(self._open):
            futures += await self._send(partition)
        return futures

    async def _send(self, partition: int) -> list[asyncio.Future[Any]]:
        records = self._open.pop(partition, [])
        self._sizes.pop(partition, None)
        futures = []
        while records:
            try:
                futures.append(await self._publish(partition, records))
                break
            except BatchBufferOverflowException as overflow:
                # The first `message_position` records fit (the first one always does).
                fit = max(overflow.message_position, 1)
                futures.append(await self._publish(partition, records[:fit]))
                records = records[fit:]
        return futures

    async def _publish(self, partition: int, records: list[Record]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = await self.publisher.publish(
            *(KafkaPublishMessage(value, key=key) for key, value in records),
            topic=self.topic, partition=partition,
            headers={"content-type": "application/json"}, no_confirm=True)
        return future


class TopicMissing(RuntimeError):
    """The inbound topic has no partitions the broker knows of (deleted, or not created)."""


def inbound_sender(broker: KafkaBroker, topic: str, service: str
                   ) -> Callable[[], InboundBatches]:
    """Declares the batch publisher of the inbound topic (so it shows in the AsyncAPI document,
    named like the kit's publishers) and returns a maker of one batcher per Ingest stream."""
    publisher = broker.publisher(topic, batch=True, title=f"{service}:{topic}",
                                 schema=PortalRecord,
                                 description=(PortalRecord.__doc__ or "").strip())

    async def partitions() -> int:
        described = await broker.config.admin_client.describe_topics([topic])
        count = len(described[0].get("partitions") or []) if described else 0
        if count == 0:
            raise TopicMissing(f"topic {topic} has no partitions")
        return count

    return lambda: InboundBatches(publisher, topic, partitions)
