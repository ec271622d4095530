"""Whether a service has applied every record on the topics it reads ("caught up"), as an
operator and a script can see and wait on it: the gRPC health status of `<service>/caught-up`
(SERVING once nothing is waiting, see `caught_up_health`), the `consumer_caught_up` gauge and the
`consumer_lag_records` gauge per topic and partition.

The lag is the broker's end offset against the position stored with the projection (the only
committed position, see campaign_kit.consumer), read once a second for every tracked subscriber
of the service. A subscriber whose partitions are not assigned yet is not caught up: a service
that has just started has not read anything."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from prometheus_client import CollectorRegistry, Gauge

from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer

log = logging.getLogger(__name__)


def caught_up_health(grpc_service: str) -> str:
    """The health-check service name that is SERVING once the service has caught up, e.g.
    `campaign.awards.v1.AwardsService/caught-up` (metrics' is named the same way)."""
    return f"{grpc_service}/caught-up"


async def partition_lags(consumer: Any, applied: dict[tuple[str, int], int]) -> dict[Any, int]:
    """Records not applied yet on each partition assigned to an aiokafka consumer, given the
    last applied offset per (topic, partition) (none: -1). The broker's end offsets, not the
    last fetch's high-water mark: "caught up" must hold for what was produced before the
    question."""
    assigned = list(consumer.assignment())
    ends = await consumer.end_offsets(assigned) if assigned else {}
    return {tp: max(ends[tp] - applied.get((tp.topic, tp.partition), -1) - 1, 0)
            for tp in assigned if tp in ends}


class CatchUp:
    def __init__(self, consumers: ConsumerMetrics, registry: CollectorRegistry,
                 interval_s: float = 1.0) -> None:
        self.consumers = consumers  # it knows every tracked consumer of the service
        self.interval_s = interval_s
        self.ready: Callable[[], bool] = lambda: True
        self.on_change: Callable[[bool], Awaitable[None]] | None = None
        self.lag = 0
        self.caught_up: bool | None = None  # None until first read
        self._lag = Gauge("consumer_lag_records",
                          "Records on an input partition not applied yet",
                          ["consumer", "topic", "partition"], registry=registry)
        self._caught_up = Gauge("consumer_caught_up",
                                "1 once every record on the service's input topics is applied",
                                registry=registry)

    async def _lag_of(self, tracked: TrackedConsumer) -> int | None:
        """Records its subscribers have not applied; None while one has no partitions yet."""
        total = 0
        for subscriber in tracked.subscribers():
            consumer: Any = getattr(subscriber, "consumer", None)
            if consumer is None or not consumer.assignment():
                return None
            stored = await asyncio.to_thread(tracked.stored_positions)
            for tp, behind in (await partition_lags(consumer, stored)).items():
                self._lag.labels(tracked.name, tp.topic, str(tp.partition)).set(behind)
                total += behind
        return total

    async def refresh(self) -> bool:
        lags = [await self._lag_of(tracked) for tracked in self.consumers.tracked]
        known = [lag for lag in lags if lag is not None]
        self.lag = sum(known)
        caught_up = self.ready() and len(known) == len(lags) and self.lag == 0
        await self._show(caught_up)
        return caught_up

    async def _show(self, caught_up: bool) -> None:
        self._caught_up.set(1 if caught_up else 0)
        if caught_up != self.caught_up:
            self.caught_up = caught_up
            log.info("caught up with the input topics" if caught_up
                     else "behind the input topics", extra={"lag": self.lag})
            if self.on_change is not None:
                await self.on_change(caught_up)

    async def run_forever(self) -> None:
        while True:
            try:
                await self.refresh()
            except Exception:  # the broker or the database is away: not known to be caught up
                log.warning("could not read the input lag", exc_info=True)
                await self._show(False)
            await asyncio.sleep(self.interval_s)
