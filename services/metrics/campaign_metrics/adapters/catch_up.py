"""Whether the service has caught up with its input, as operators and scripts can see and wait
on it: the `inbound_caught_up` and lag gauges, the GetStatus call, and the gRPC health status of
the service name `CAUGHT_UP_HEALTH` (SERVING once every record on the inbound topic is applied).
The lag is read after every batch, once a second between batches (so it moves while the
service waits for a catalogue or the database), and when GetStatus asks."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from campaign_kit.catch_up import partition_lags
from campaign_kit.consumer import TrackedConsumer
from campaign_metrics.adapters.telemetry import MetricsTelemetry

log = logging.getLogger(__name__)

CAUGHT_UP_HEALTH = "campaign.metrics.v1.MetricsService/caught-up"
_BUSY_WINDOW_S = 2.0
_BUSY_RECORDS_PER_S = 1000  # twenty times a province's busiest pace


class CatchUp:
    def __init__(self, telemetry: MetricsTelemetry, tracked: TrackedConsumer, batch_max: int,
                 ready: Callable[[], bool], interval_s: float = 1.0) -> None:
        self.telemetry = telemetry
        self.tracked = tracked
        self.batch_max = batch_max
        self.ready = ready
        self.interval_s = interval_s
        self.subscriber: Any = None
        self.on_change: Callable[[bool], Awaitable[None]] | None = None
        self.lag = 0
        self.caught_up: bool | None = None  # None until first read
        self._applied: dict[tuple[str, int], int] = {}
        self._recent: deque[tuple[float, int]] = deque()  # (when, records) of recent batches
        self._started = 0.0

    @property
    def is_caught_up(self) -> bool:
        return bool(self.caught_up)

    def behind(self) -> bool:
        """More than a batch is waiting, or records are pouring in (a bulk Ingest, a portal
        re-sending a month): the service is catching up, and announcing every half second
        would cost more than applying."""
        now = time.monotonic()
        while self._recent and now - self._recent[0][0] > _BUSY_WINDOW_S:
            self._recent.popleft()
        pouring = sum(n for _, n in self._recent) > _BUSY_RECORDS_PER_S * _BUSY_WINDOW_S
        return self.lag > self.batch_max or pouring

    async def start(self) -> None:
        self._started = time.perf_counter()

    async def stop(self, applied: Sequence[Any]) -> None:
        """After a batch: its time, and the lag it leaves."""
        self.telemetry.batch_seconds.observe(time.perf_counter() - self._started)
        self.telemetry.batch_records.observe(len(applied))
        for record in applied:
            self._applied[(record.topic, record.partition)] = record.offset
        self._recent.append((time.monotonic(), len(applied)))
        await self.refresh()

    async def refresh(self) -> None:
        consumer: Any = getattr(self.subscriber, "consumer", None)
        lags: dict[Any, int] = {}
        if consumer is not None:
            # What this instance applied, else (before its first batch) what is stored.
            applied = self._applied
            if any((tp.topic, tp.partition) not in applied for tp in consumer.assignment()):
                applied = {**await asyncio.to_thread(self.tracked.stored_positions), **applied}
            lags = await partition_lags(consumer, applied)
        for tp, behind in lags.items():
            self.telemetry.lag.labels(str(tp.partition)).set(behind)
        lag = sum(lags.values())
        self.lag = lag
        self.telemetry.lag_total.set(lag)
        caught_up = self.ready() and consumer is not None and lag == 0
        self.telemetry.caught_up.set(1 if caught_up else 0)
        if caught_up != self.caught_up:
            self.caught_up = caught_up
            log.info("caught up with the inbound topic" if caught_up
                     else "behind the inbound topic", extra={"lag": lag})
            if self.on_change is not None:
                await self.on_change(caught_up)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:  # the broker is away: the next tick tries again
                log.warning("could not read the inbound lag", exc_info=True)
            await asyncio.sleep(self.interval_s)

