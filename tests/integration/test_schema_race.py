"""Instances of a service starting together create its tables once, without failing: the kit
takes a PostgreSQL advisory lock around `create_all`."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from campaign_kit.db import Database, outbox_table, positions_table
from devkit.infra import PostgresServer

pytestmark = pytest.mark.postgres


def service_metadata() -> MetaData:
    metadata = MetaData()
    positions_table(metadata)
    outbox_table(metadata)
    for n in range(12):  # enough tables that unlocked instances overlap
        Table(f"read_model_{n}", metadata, Column("id", Integer, primary_key=True),
              Column("name", String(50), index=True))
    return metadata


def test_instances_starting_together_create_the_schema_once(
    postgres_server: PostgresServer,
) -> None:
    for _ in range(3):  # the race is likelier than not in one round; three make it certain
        url = postgres_server.create_database(f"race_{uuid.uuid4().hex[:10]}")
        instances = [Database(url, service_metadata()) for _ in range(6)]
        start = threading.Barrier(len(instances))
        failures: list[BaseException] = []

        def begin(db: Database, start: threading.Barrier = start,
                  failures: list[BaseException] = failures) -> None:
            start.wait()
            try:
                db.create_schema()
            except Exception as exc:
                failures.append(exc)

        threads = [threading.Thread(target=begin, args=(db,)) for db in instances]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for db in instances:
            db.dispose()
        assert failures == []
