"""Consumers log as JSON lines: per event at DEBUG with its correlation id, and at INFO no line
per event (FastStream's own per-message lines are DEBUG too)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from campaign_contracts.events import StandingUpdated
from campaign_contracts.topics import STANDINGS, prefixed
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.logs import configure_logging
from campaign_kit.runtime import make_broker
from campaign_kit.settings import ServiceSettings
from campaign_kit.topics_admin import ensure_topics
from campaign_kit.wiring import subscribe_events
from tests.integration.test_dead_letters import (
    consume,
    metadata,
    positions,
    record_standing,
    send,
    standing,
)

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

    subscribe_events(broker, topic.name, StandingUpdated, tracked, f"g-{level}",
                     record_standing, None)
    send(bootstrap, topic.name, [(f"U{n}".encode(), standing(f"U{n}", 2).to_bytes())
                                 for n in range(EVENTS)])
    try:
        await consume(broker, db, EVENTS)
    finally:
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
