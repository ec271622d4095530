"""Drives the metrics projection directly on a database, the way the service does it: batches
of Kafka records through a tracked consumer, one transaction each, then an announcement."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from campaign_contracts.campaign_file import SEED_CATALOGUE, Campaign, load_campaign, seed_path
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_metrics.adapters import tables as store
from campaign_metrics.adapters.announcer import IndicatorAnnouncer
from campaign_metrics.adapters.projection import MetricsProjection, OutputTopics
from campaign_metrics.adapters.telemetry import MetricsTelemetry
from campaign_metrics.domain.catalogue import Catalogue, load_catalogue
from tests.support.records import BASE_TIME_MS, encode

TOPICS = OutputTopics(dead_letter="dlq", accepted="accepted", indicators="indicators")
INBOUND = "portal.dossier-records.v1"
CAMPAIGN_KEY = "2024-06-01..2024-12-31"

Figure = tuple[int, int]


def seed_catalogue() -> Catalogue:
    return load_catalogue(seed_path(SEED_CATALOGUE))


def kafka_record(value: bytes, offset: int, partition: int = 0,
                 key: bytes | None = None) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=INBOUND, partition=partition, offset=offset, timestamp=BASE_TIME_MS + offset,
        timestamp_type=0, key=key, value=value, checksum=None, serialized_key_size=0,
        serialized_value_size=len(value), headers=(),
    )


class Feed:
    """Feeds records through the projection, offsets counting up per partition."""

    def __init__(self, db: Database, *, campaign: Campaign | None = None,
                 catalogue: Catalogue | None = None, emit_accepted: bool = True) -> None:
        self.db = db
        self.campaign = campaign or load_campaign()
        self.registry = CollectorRegistry()
        self.telemetry = MetricsTelemetry(self.registry)
        self.projection = MetricsProjection(self.campaign, TOPICS, self.telemetry,
                                            emit_accepted=emit_accepted)
        self.announcer = IndicatorAnnouncer(self.campaign, TOPICS.indicators, self.telemetry)
        self.consumer = TrackedConsumer("test", db, store.positions,
                                        ConsumerMetrics(CollectorRegistry()))
        self.offsets: dict[int, int] = defaultdict(int)
        self.load(catalogue or seed_catalogue())

    def load(self, catalogue: Catalogue) -> None:
        with self.db.begin() as connection:
            self.projection.apply_catalogue(connection, catalogue.to_event("test"))

    def records(self, *items: dict[str, Any] | bytes, partition: int = 0
                ) -> list[ConsumerRecord[bytes, bytes]]:
        """Kafka records at the next offsets of a partition."""
        out = []
        for item in items:
            value = item if isinstance(item, bytes) else encode(item)
            offset = self.offsets[partition]
            self.offsets[partition] += 1
            out.append(kafka_record(value, offset, partition))
        return out

    def send(self, *items: dict[str, Any] | bytes, partition: int = 0) -> int:
        """One batch; returns how many records were applied (not seen before)."""
        return len(self.apply(self.records(*items, partition=partition)))

    def send_each(self, *items: dict[str, Any] | bytes) -> None:
        for item in items:
            self.send(item)

    def apply(self, records: list[ConsumerRecord[bytes, bytes]]
              ) -> list[ConsumerRecord[bytes, bytes]]:
        return self.consumer.apply_batch(records, self.projection.apply_batch)

    def announce(self) -> list[dict[str, Any]]:
        """Flush the announcer; returns the IndicatorUpdated events it wrote."""
        before = len(self.outbox(TOPICS.indicators))
        with self.db.begin() as connection:
            self.announcer.announce(connection)
        return self.outbox(TOPICS.indicators)[before:]

    def outbox(self, topic: str | None = None) -> list[dict[str, Any]]:
        with self.db.begin() as connection:
            rows = connection.execute(
                select(store.outbox.c.topic, store.outbox.c.payload).order_by(store.outbox.c.id)
            ).all()
        return [json.loads(r.payload) for r in rows if topic is None or r.topic == topic]

    def figure(self, indicator: str = "K3", code: str = "QLVT", kind: str = "unit",
               period_kind: str = "campaign", period_key: str = CAMPAIGN_KEY) -> Figure | None:
        return self.cells().get((indicator, kind, code, period_kind, period_key))

    def cells(self) -> dict[tuple[str, str, str, str, str], Figure]:
        with self.db.begin() as connection:
            rows = connection.execute(select(store.indicator_cells)).all()
        return {(r.indicator, r.subject_kind, r.subject_code, r.period_kind, r.period_key):
                (r.numerator, r.denominator) for r in rows}

    def nonzero_cells(self) -> dict[tuple[str, str, str, str, str], Figure]:
        """The figures that say something: K1 always (its denominator is the catalogue's), the
        others when a dossier is in them. A 0/0 row and a missing row answer the same."""
        return {k: v for k, v in self.cells().items() if k[0] == "K1" or v != (0, 0)}


def rows_of(db: Database, table: Any) -> list[dict[str, Any]]:
    with db.begin() as connection:
        return [dict(r._mapping) for r in connection.execute(select(table))]


def all_figures(db: Database) -> dict[tuple[str, ...], tuple[Any, ...]]:
    """Every cell with what a reader sees of it: figure, versions, time (for rebuilds)."""
    with db.begin() as connection:
        rows = connection.execute(select(store.indicator_cells)).all()
    return {
        (r.indicator, r.subject_kind, r.subject_code, r.period_kind, r.period_key):
        (r.numerator, r.denominator, r.campaign_version, r.catalogue_version, r.as_of_ms)
        for r in rows if r.indicator == "K1" or (r.numerator, r.denominator) != (0, 0)
    }
