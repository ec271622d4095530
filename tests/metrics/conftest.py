"""Fixtures of the metrics tests: a fed projection on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from campaign_kit.db import Database
from campaign_metrics.adapters import tables as store
from campaign_metrics.settings import MetricsSettings
from tests.metrics.support import Feed
from tests.support.services import fresh_database

TOKEN = "s3cret-token"


@pytest.fixture
def feed(database_url: str) -> Iterator[Feed]:
    db = fresh_database(database_url, store.metadata)
    yield Feed(db)
    db.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """An empty database of the service's tables (SQLite, then PostgreSQL)."""
    database = fresh_database(database_url, store.metadata)
    yield database
    database.dispose()


@pytest.fixture
def settings(
    kafka_bootstrap: str, topic_prefix: str, database_url: str
) -> MetricsSettings:
    """A service on the session broker, with its own topics and database."""
    return MetricsSettings(
        kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=topic_prefix,
        consumer_group=f"{topic_prefix}-metrics", database_url=database_url, grpc_port=0,
        metrics_port=0, portal_tokens=f"cong-dvc-lang-son:{TOKEN}", indicator_flush_s=0.2,
        inbound_batch_max=50,
    )
