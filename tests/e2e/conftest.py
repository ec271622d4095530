"""Fixtures of the end-to-end tests: a real SMTP server and the four services as processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer
from tests.support.kafka_io import create_all_topics

SERVICES = ("metrics", "awards", "dossiers", "notifier")
NOTIFIER_TOKEN = "operator-token-e2e-0123456789"
EXTRA = {
    # The records are of July 2024: the notifier's campaign clock replays from there, one
    # campaign hour per second, so that a crossing settles (24 h) within the test.
    "notifier": {"CLOCK_START": "2024-07-02T16:00:00+07:00", "CLOCK_SPEED": "3600",
                 "ACCESS_TOKENS": f"{NOTIFIER_TOKEN}:operator", "DELIVERY_POLL_S": "0.5"},
}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def services(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path, smtp: SmtpServer
) -> Iterator[dict[str, ServiceProcess]]:
    create_all_topics(kafka_bootstrap, topic_prefix)
    common = {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_PREFIX": topic_prefix,
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "LOG_LEVEL": "INFO",
        "DELIVERY_RETRY_S": "1",
    }
    running = {}
    for name in SERVICES:
        env = {**common, **EXTRA.get(name, {}), "DATA_DIR": str(tmp_path / name),
               "CONSUMER_GROUP": f"{topic_prefix}-{name}"}
        running[name] = ServiceProcess(name, env, tmp_path / f"{name}.log")
    for process in running.values():
        process.start()
    try:
        for process in running.values():
            process.wait_serving()
        yield running
    finally:
        for process in running.values():
            process.stop()


