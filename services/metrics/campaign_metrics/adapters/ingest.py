"""The gRPC way in, for portals that cannot produce to Kafka. The inbound topic stays the one
source of truth: each record is validated by the same decoder (and contract rules) as the stream, an
accepted one is put on the inbound topic as it was sent (key MaHoSo), so a rebuild from the
topic covers it too, and a rejected one goes to the dead-letter topic and back to the caller
with the reason. `accepted` in the answer means the broker has it: accepted records go out in
batches, and the answer waits for every batch.

Sizes are bounded: a record over `record_max_bytes` is refused on its own (reason
`record_too_large`, the rest of the stream goes on); a message (one record, or several packed)
over `message_max_bytes` ends the call (RESOURCE_EXHAUSTED) after the records before it are on
the log, since a client sending such messages is broken and reading on would only hold more
memory."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from campaign_contracts.events import PortalRecordDeadLettered
from campaign_contracts.portal_record import LOCAL_TZ, RecordRejected
from campaign_kit.outbox import SendNoWait
from campaign_metrics import SERVICE
from campaign_metrics.adapters.decoder import LeanDecoder
from campaign_metrics.adapters.telemetry import MetricsTelemetry

_IN_FLIGHT = 200  # batches handed to the producer before waiting for the broker
DEAD_LETTER_ORIGINAL_BYTES = 64 * 1024  # what a dead letter keeps of a record too large
RECORD_TOO_LARGE = "record_too_large"


@dataclass(frozen=True)
class IngestLimits:
    record_max_bytes: int = 512 * 1024
    message_max_bytes: int = 2 * 1024 * 1024


class MessageTooLarge(Exception):
    """A message over the limit: the call ends; `accepted` records before it are on the log."""

    def __init__(self, index: int, size: int, limit: int, accepted: int) -> None:
        super().__init__(f"message {index} of {size} bytes is over {limit}")
        self.index = index
        self.size = size
        self.limit = limit
        self.accepted = accepted


class InboundSender(Protocol):
    """Accepted records to the inbound topic in batches (see inbound_batches.InboundBatches)."""

    async def start(self) -> None: ...

    async def add(self, key: bytes, value: bytes) -> list[asyncio.Future[Any]]: ...

    async def close(self) -> list[asyncio.Future[Any]]: ...


@dataclass(frozen=True)
class Rejection:
    index: int
    dossier_code: str
    reason: str
    detail: str


@dataclass
class IngestResult:
    portal: str
    received: int = 0
    accepted: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def dossier_code_of(raw: bytes) -> str:
    """MaHoSo of a rejected record when it can still be read, for the caller to find it."""
    try:
        data: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return ""
    code = data.get("MaHoSo") if isinstance(data, dict) else None
    return code if isinstance(code, str) else ""


class PortalIngest:
    def __init__(
        self, send: SendNoWait, inbound: Callable[[], InboundSender], dead_letter_topic: str,
        telemetry: MetricsTelemetry, decoder: LeanDecoder | None = None,
        limits: IngestLimits | None = None,
    ) -> None:
        # The stream's validation: the same decoder and rules as the inbound topic's.
        self.decoder = decoder or LeanDecoder(LOCAL_TZ)
        self.send = send  # dead letters, one at a time (they are rare)
        self.inbound = inbound  # a batcher per stream
        self.dead_letter_topic = dead_letter_topic
        self.telemetry = telemetry
        self.limits = limits or IngestLimits()
        # Freshness per portal for GetStatus: time of its latest call, records since start.
        self.last_call: dict[str, float] = {}
        self.records: dict[str, int] = {}
        self.rejected: dict[str, int] = {}  # by reason: these never reach the inbound topic

    async def ingest(self, portal: str, messages: AsyncIterator[Sequence[bytes]]
                     ) -> IngestResult:
        """Each message of the stream holds one record or several, numbered across the
        stream."""
        result = IngestResult(portal=portal)
        pending: list[asyncio.Future[Any]] = []
        batches = self.inbound()
        await batches.start()
        source = f"grpc:{portal}"
        async for message in messages:
            size = sum(len(raw) for raw in message)
            if size > self.limits.message_max_bytes:
                await asyncio.gather(*pending, *(await batches.close()))
                self._count(portal, result)
                raise MessageTooLarge(result.received, size, self.limits.message_max_bytes,
                                      result.accepted)
            for raw in message:
                index = result.received
                result.received += 1
                try:
                    code = self._checked(raw)
                except RecordRejected as rejected:
                    pending.append(await self._dead_letter(portal, source, index, raw,
                                                           rejected, result))
                else:
                    pending += await batches.add(code.encode("utf-8"), raw)
                    result.accepted += 1
            if len(pending) >= _IN_FLIGHT:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending, *(await batches.close()))
        self._count(portal, result)
        return result

    def _checked(self, raw: bytes) -> str:
        """MaHoSo of a record that may go on the log, or RecordRejected."""
        if len(raw) > self.limits.record_max_bytes:
            raise RecordRejected(
                RECORD_TOO_LARGE, f"bản ghi {len(raw)} byte, vượt giới hạn "
                f"{self.limits.record_max_bytes} byte của một bản ghi")
        code, _state = self.decoder.decode(raw)
        return code

    async def _dead_letter(self, portal: str, source: str, index: int, raw: bytes,
                           rejected: RecordRejected, result: IngestResult
                           ) -> asyncio.Future[Any]:
        too_large = rejected.reason == RECORD_TOO_LARGE
        code = "" if too_large else dossier_code_of(raw)
        result.rejected.append(Rejection(index, code, rejected.reason, rejected.detail))
        self.telemetry.rejected.labels(rejected.reason).inc()
        self.rejected[rejected.reason] = self.rejected.get(rejected.reason, 0) + 1
        self.telemetry.grpc_records.labels(portal, "rejected").inc()
        detail = rejected.detail + (f" (giữ {DEAD_LETTER_ORIGINAL_BYTES} byte đầu)"
                                    if too_large else "")
        event = PortalRecordDeadLettered(
            producer=SERVICE, reason=rejected.reason, detail=detail,
            source=f"{source}#{index}", key=code or None,
            original=raw[:DEAD_LETTER_ORIGINAL_BYTES] if too_large else raw,
        )
        key = code.encode("utf-8") if code else None
        return await self.send(self.dead_letter_topic, event.to_bytes(), key)

    def _count(self, portal: str, result: IngestResult) -> None:
        now = time.time()
        self.telemetry.grpc_records.labels(portal, "accepted").inc(result.accepted)
        self.telemetry.grpc_last.labels(portal).set(now)
        self.last_call[portal] = now
        self.records[portal] = self.records.get(portal, 0) + result.received
