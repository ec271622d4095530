"""Every consuming service says when it has caught up, the one way the kit provides
(campaign_kit.catch_up): with a backlog waiting on its input topics before it starts, awards,
notifier and dossiers each turn the health status `<service>/caught-up` to SERVING only once
the positions stored with their projections reach the end of every topic they read, and show it
on /metrics. The rules of the watch (no partitions yet, not ready, a lag) are held with fakes."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData, create_engine, select

from campaign_contracts.topics import CANDIDATES, INDICATORS, prefixed
from campaign_kit.catch_up import CatchUp
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database, positions_table
from devkit.processes import ServiceProcess
from tests.dossiers.builders import ACCESS_TOKENS, GIAY_KHEN, k_update, proposed, unit_evidence
from tests.support.kafka_io import create_all_topics, producer

GRPC_SERVICES = {"awards": "campaign.awards.v1.AwardsService",
                 "notifier": "campaign.notifier.v1.NotifierService",
                 "dossiers": "campaign.dossiers.v1.DossiersService"}


def publish_backlog(bootstrap: str, prefix: str) -> None:
    """Indicator figures (awards and dossiers read them) and a candidate (notifier and
    dossiers read those), waiting before any service starts."""
    kafka = producer(bootstrap)
    for event in [k_update("K1", i, 10 + i) for i in range(40)]:
        kafka.send(prefixed(INDICATORS, prefix).name, key=event.subject_code.encode(),
                   value=event.to_bytes())
    candidate = proposed(GIAY_KHEN, "collective", "QLVT", "Phòng Quản lý vận tải",
                         unit_evidence())
    kafka.send(prefixed(CANDIDATES, prefix).name, key=candidate.candidate_id.encode(),
               value=candidate.to_bytes())
    kafka.flush()
    kafka.close()


def end_offsets(bootstrap: str, topics: set[str]) -> dict[tuple[str, int], int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(t, p) for t in topics
                      for p in consumer.partitions_for_topic(t) or ()]
        return {(tp.topic, tp.partition): end for tp, end in
                consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


@pytest.mark.kafka
@pytest.mark.parametrize("service", sorted(GRPC_SERVICES))
def test_a_service_is_caught_up_once_its_stored_positions_reach_the_end(
    service: str, kafka_bootstrap: str, topic_prefix: str, tmp_path: Path,
) -> None:
    create_all_topics(kafka_bootstrap, topic_prefix)
    publish_backlog(kafka_bootstrap, topic_prefix)
    process = ServiceProcess(service, {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_PREFIX": topic_prefix,
        "DATA_DIR": str(tmp_path), "CONSUMER_GROUP": f"{topic_prefix}-{service}",
        "ACCESS_TOKENS": ACCESS_TOKENS, "BLOB_DIR": str(tmp_path / "blobs"),
    }, tmp_path / f"{service}.log")
    process.start()
    try:
        process.wait_caught_up(GRPC_SERVICES[service])
        # Read at once, without waiting: what "caught up" claims must already hold.
        engine = create_engine(f"sqlite:///{tmp_path / f'{service}.db'}")
        positions = positions_table(MetaData())
        with engine.connect() as connection:
            stored = {(r.topic, r.partition): r.offset
                      for r in connection.execute(select(positions))}
        engine.dispose()
        ends = end_offsets(kafka_bootstrap, {topic for topic, _ in stored})
        behind = {tp: (end, stored[tp]) for tp, end in ends.items()
                  if end > 0 and stored.get(tp) != end - 1}
        assert not behind, behind
        backlog = {prefixed(INDICATORS, topic_prefix).name, prefixed(CANDIDATES, topic_prefix).name}
        assert backlog & {topic for topic, _ in stored}, stored  # it did read the backlog
        url = f"http://127.0.0.1:{process.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as reply:
            exposed = reply.read().decode()
        assert "\nconsumer_caught_up 1.0\n" in exposed
        assert 'consumer_lag_records{consumer=' in exposed
    finally:
        assert process.stop() == 0, process.log_tail()


class FakeConsumer:
    def __init__(self, ends: dict[Any, int]) -> None:
        self.ends = ends

    def assignment(self) -> set[Any]:
        return set(self.ends)

    async def end_offsets(self, partitions: list[Any]) -> dict[Any, int]:
        return {tp: self.ends[tp] for tp in partitions}


class FakeSubscriber:
    consumer: FakeConsumer | None = None


def watched(tmp_path: Path) -> tuple[CatchUp, TrackedConsumer, FakeSubscriber]:
    metadata = MetaData()
    positions = positions_table(metadata)
    db = Database(f"sqlite:///{tmp_path / 'watch.db'}", metadata)
    db.create_schema()
    metrics = ConsumerMetrics(CollectorRegistry())
    tracked = TrackedConsumer("svc.input", db, positions, metrics)
    subscriber = FakeSubscriber()
    tracked.resume_listener().bind(subscriber)
    return CatchUp(metrics, CollectorRegistry()), tracked, subscriber


def store_position(tracked: TrackedConsumer, offset: int) -> None:
    with tracked.db.begin() as connection:
        connection.execute(tracked.positions.delete())
        connection.execute(tracked.positions.insert().values(
            consumer=tracked.name, topic="input", partition=0, offset=offset))


async def test_caught_up_only_when_assigned_ready_and_nothing_waits(tmp_path: Path) -> None:
    watch, tracked, subscriber = watched(tmp_path)
    changes: list[bool] = []

    async def note(caught_up: bool) -> None:
        changes.append(caught_up)

    watch.on_change = note
    assert not await watch.refresh()  # not started: no consumer, no partitions
    partition = TopicPartition("input", 0)
    subscriber.consumer = FakeConsumer({partition: 5})
    assert not await watch.refresh() and watch.lag == 5  # nothing applied of five records
    store_position(tracked, 3)
    assert not await watch.refresh() and watch.lag == 1
    store_position(tracked, 4)
    assert await watch.refresh() and watch.lag == 0
    watch.ready = lambda: False  # the database or the broker stopped answering
    assert not await watch.refresh()
    watch.ready = lambda: True
    subscriber.consumer.ends[partition] = 7  # two more arrived
    assert not await watch.refresh() and watch.lag == 2
    assert changes == [False, True, False]


async def test_an_empty_topic_is_caught_up_at_once(tmp_path: Path) -> None:
    watch, _, subscriber = watched(tmp_path)
    subscriber.consumer = FakeConsumer({TopicPartition("input", 0): 0})
    assert await watch.refresh()
