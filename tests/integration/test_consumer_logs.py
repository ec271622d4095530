"""Consumers log as JSON lines: per event at DEBUG with its correlation id, and at INFO no line
per event (FastStream's own per-message lines are DEBUG too)."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from campaign_contracts.events import StandingUpdated
from campaign_contracts.topics import STANDINGS, prefixed
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.logs import configure_logging
from campaign_kit.runtime import make_broker
from campaign_kit.settings import ServiceSettings
from campaign_kit.topics_admin import ensure_topics
from campaign_kit.wiring import subscribe_events
from tests.integration.test_dead_letters import metadata, positions, seen, standing
from tests.support.kafka_io import producer

pytestmark = pytest.mark.kafka
EVENTS = 40


async def consume_standings(bootstrap: str, prefix: str, tmp_path: Path, level: str) -> None:
    configure_logging("awards", level)
    topic = prefixed(STANDINGS, prefix)
    ensure_topics(bootstrap, [topic])
    db = Database(f"sqlite:///{tmp_path / f'{level}.sqlite'}", metadata)
    db.create_schema()
    registry = CollectorRegistry()
    tracked = TrackedConsumer("awards.test", db, positions, ConsumerMetrics(registry))
    settings = ServiceSettings(kafka_bootstrap_servers=bootstrap, grpc_port=0, metrics_port=0)
    broker = make_broker(settings, "awards", registry)

    def apply(connection: object, event: StandingUpdated) -> None:
        connection.execute(seen.insert().values(  # type: ignore[attr-defined]
            subject_code=event.subject_code, schema_version=event.schema_version))

    subscribe_events(broker, topic.name, StandingUpdated, tracked, f"g-{level}", apply, None)
    sent = producer(bootstrap)
    for n in range(EVENTS):
        sent.send(topic.name, standing(f"U{n}", 2).to_bytes(), key=f"U{n}".encode())
    sent.flush()
    sent.close()
    await broker.start()
    try:
        for _ in range(300):
            with db.begin() as connection:
                if len(connection.execute(select(seen.c.id)).all()) >= EVENTS:
                    break
            await asyncio.sleep(0.1)
    finally:
        await broker.stop()
        db.dispose()
        logging.getLogger().handlers.clear()


def json_lines(text: str) -> list[dict[str, object]]:
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
    return parsed


async def test_at_info_no_line_per_event_and_every_line_is_json(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    await consume_standings(kafka_bootstrap, topic_prefix, tmp_path, "INFO")
    lines = json_lines(capfd.readouterr().err)
    assert len(lines) < EVENTS / 4, [line["msg"] for line in lines]


async def test_at_debug_each_event_has_a_line_with_its_correlation_id(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    await consume_standings(kafka_bootstrap, topic_prefix, tmp_path, "DEBUG")
    lines = json_lines(capfd.readouterr().err)
    applied = [line for line in lines if line["msg"] == "record applied"]
    assert len(applied) == EVENTS
    assert all(line.get("correlation_id") for line in applied)
