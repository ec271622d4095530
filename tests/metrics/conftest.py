"""Fixtures of the metrics tests: a fed projection on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from campaign_metrics.adapters import tables as store
from tests.metrics.support import Feed
from tests.support.services import fresh_database


@pytest.fixture
def feed(database_url: str) -> Iterator[Feed]:
    db = fresh_database(database_url, store.metadata)
    yield Feed(db)
    db.dispose()
