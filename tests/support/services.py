"""Builds each service's projection pieces on a given database, for projection tests."""

from __future__ import annotations

import json
from typing import Any

from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData, Table, select

from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database


def fresh_database(url: str, metadata: MetaData) -> Database:
    db = Database(url, metadata)
    db.drop_schema()
    db.create_schema()
    return db


def tracked(db: Database, positions: Table, name: str = "test") -> TrackedConsumer:
    return TrackedConsumer(name, db, positions, ConsumerMetrics(CollectorRegistry()))


def outbox_events(db: Database, outbox: Table, topic: str | None = None) -> list[dict[str, Any]]:
    query = select(outbox.c.topic, outbox.c.payload).order_by(outbox.c.id)
    with db.begin() as connection:
        rows = connection.execute(query).all()
    return [json.loads(r.payload) for r in rows if topic is None or r.topic == topic]


def table_rows(db: Database, table: Table) -> list[dict[str, Any]]:
    with db.begin() as connection:
        return [dict(r._mapping) for r in connection.execute(select(table))]
