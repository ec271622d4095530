"""Events a consumer cannot read go to the topic's dead-letter topic with the reason, are counted,
and never stop or shift the good events around them; an old schema version is upcast on read.
Over the real broker, through the kit's wiring."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy import Column, Connection, Integer, MetaData, String, Table, select

from campaign_contracts.events import Figure, IndicatorStanding, StandingUpdated
from campaign_contracts.topics import STANDINGS, dead_letter_of, prefixed
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database, positions_table
from campaign_kit.topics_admin import ensure_topics
from campaign_kit.wiring import subscribe_event_batches, subscribe_events
from tests.support.kafka_io import producer, read_all

pytestmark = pytest.mark.kafka

metadata = MetaData()
positions = positions_table(metadata)
seen = Table("seen", metadata, Column("id", Integer, primary_key=True, autoincrement=True),
             Column("subject_code", String(100)), Column("schema_version", Integer))


def standing(unit: str, version: int) -> StandingUpdated:
    figure = Figure.of(9, 10)
    return StandingUpdated(
        producer="awards", campaign_id="c", period_key="2024", unit_code=unit,
        unit_name="Đơn vị", rank=1, total_points=Decimal(3), schema_version=version,
        indicators=[IndicatorStanding(indicator="K1", figure=figure, target=Decimal("0.9"),
                                      target_met=True, points=Decimal(1))],
        targets_met=["K1"], previous_targets_met=[],
    )


def record_standing(connection: Connection, event: StandingUpdated) -> None:
    connection.execute(seen.insert().values(subject_code=event.subject_code,
                                            schema_version=event.schema_version))


def send(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> None:
    sent = producer(bootstrap)
    for key, value in messages:
        sent.send(topic, value, key=key)
    sent.flush()
    sent.close()


async def consume(broker: KafkaBroker, db: Database, expect: int) -> list[tuple[str, int]]:
    """Run the broker until `expect` standings are recorded (or 30 s pass); returns them."""
    await broker.start()
    try:
        for _ in range(300):
            with db.begin() as connection:
                rows = connection.execute(select(seen.c.subject_code, seen.c.schema_version)
                                          ).all()
            if len(rows) >= expect:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # nothing more arrives
    finally:
        await broker.stop()
    return [(r.subject_code, r.schema_version) for r in rows]


def v1_bytes(unit: str) -> bytes:
    """A StandingUpdated as a version 1 producer wrote it: no subject fields at all."""
    data = json.loads(standing(unit, 1).to_bytes())
    for field in ("subject_kind", "subject_code", "subject_name", "period_kind",
                  "previous_rank", "previous_points"):
        data.pop(field)
    return json.dumps(data).encode()


def record_standings(connection: Connection, events: Sequence[StandingUpdated]) -> None:
    for event in events:
        record_standing(connection, event)


@pytest.mark.parametrize("batches", [False, True], ids=["one_by_one", "in_batches"])
async def test_unreadable_events_are_dead_lettered_with_the_reason_and_counted(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path, batches: bool
) -> None:
    topic = prefixed(STANDINGS, topic_prefix)
    letters = dead_letter_of(topic)
    ensure_topics(kafka_bootstrap, [topic, letters])
    db = Database(f"sqlite:///{tmp_path / 'db.sqlite'}", metadata)
    db.create_schema()
    registry = CollectorRegistry()
    tracked = TrackedConsumer("awards.test", db, positions, ConsumerMetrics(registry))

    broker = KafkaBroker(kafka_bootstrap)
    if batches:
        subscribe_event_batches(broker, topic.name, StandingUpdated, tracked, "test-group",
                                record_standings, None, max_records=100)
    else:
        subscribe_events(broker, topic.name, StandingUpdated, tracked, "test-group",
                         record_standing, None)
    key = b"U1"  # one partition, so the order below is the order read
    send(kafka_bootstrap, topic.name, [(key, value) for value in (
        standing("U1", 2).to_bytes(), b"{not json", b'{"event_type": "Nope"}', v1_bytes("U1"),
        b"x" * 900_000, standing("U1", 2).to_bytes())])
    rows = await consume(broker, db, 3)
    assert rows == [("U1", 2), ("U1", 1), ("U1", 2)]  # the v1 event upcast on read
    dead = read_all(kafka_bootstrap, letters.name, expect=3, timeout_s=20)
    assert [d["reason"] for d in dead] == ["not_json", "invalid_event", "not_json"]
    assert all(d["event_type"] == "EventDeadLettered" for d in dead)
    assert dead[0]["source"].startswith(f"{topic.name}/")
    assert "cut to its first" in dead[2]["detail"]
    count = registry.get_sample_value(
        "dead_letters_total", {"consumer": "awards.test", "topic": topic.name,
                               "reason": "not_json"})
    assert count == 2
    db.dispose()
