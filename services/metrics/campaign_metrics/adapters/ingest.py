"""The gRPC way in, for portals that cannot produce to Kafka. The inbound topic stays the one
source of truth: each record is validated by the same decoder (and contract rules) as the stream, an
accepted one is put on the inbound topic as it was sent (key MaHoSo), so a rebuild from the
topic covers it too, and a rejected one goes to the dead-letter topic and back to the caller
with the reason. `accepted` in the answer means the broker has it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from campaign_contracts.events import PortalRecordDeadLettered
from campaign_contracts.portal_record import LOCAL_TZ, RecordRejected
from campaign_kit.outbox import SendNoWait
from campaign_metrics import SERVICE
from campaign_metrics.adapters.decoder import LeanDecoder
from campaign_metrics.adapters.telemetry import MetricsTelemetry

_IN_FLIGHT = 1000  # records handed to the producer before waiting for the broker


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
        self, send: SendNoWait, inbound_topic: str, dead_letter_topic: str,
        telemetry: MetricsTelemetry, decoder: LeanDecoder | None = None,
    ) -> None:
        # The stream's validation: the same decoder and rules as the inbound topic's.
        self.decoder = decoder or LeanDecoder(LOCAL_TZ)
        self.send = send
        self.inbound_topic = inbound_topic
        self.dead_letter_topic = dead_letter_topic
        self.telemetry = telemetry
        # Freshness per portal for GetStatus: time of its latest call, records since start.
        self.last_call: dict[str, float] = {}
        self.records: dict[str, int] = {}
        self.rejected: dict[str, int] = {}  # by reason: these never reach the inbound topic

    async def ingest(self, portal: str, records: AsyncIterator[bytes]) -> IngestResult:
        result = IngestResult(portal=portal)
        pending: list[asyncio.Future[Any]] = []
        source = f"grpc:{portal}"
        async for raw in records:
            index = result.received
            result.received += 1
            try:
                code, _state = self.decoder.decode(raw)
            except RecordRejected as rejected:
                code = dossier_code_of(raw)
                result.rejected.append(Rejection(index, code, rejected.reason, rejected.detail))
                self.telemetry.rejected.labels(rejected.reason).inc()
                self.rejected[rejected.reason] = self.rejected.get(rejected.reason, 0) + 1
                self.telemetry.grpc_records.labels(portal, "rejected").inc()
                event = PortalRecordDeadLettered(
                    producer=SERVICE, reason=rejected.reason, detail=rejected.detail,
                    source=f"{source}#{index}", key=code or None, original=raw,
                )
                key = code.encode("utf-8") if code else None
                pending.append(await self.send(self.dead_letter_topic, event.to_bytes(), key))
            else:
                pending.append(await self.send(self.inbound_topic, raw, code.encode("utf-8")))
                result.accepted += 1
                self.telemetry.grpc_records.labels(portal, "accepted").inc()
            if len(pending) >= _IN_FLIGHT:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        now = time.time()
        self.telemetry.grpc_last.labels(portal).set(now)
        self.last_call[portal] = now
        self.records[portal] = self.records.get(portal, 0) + result.received
        return result
