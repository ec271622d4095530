"""Instances of a service starting together, as separate processes, all start and change the
schema once: one of them builds (or stamps and upgrades) the database, the others find it at
the newest revision. On the real PostgreSQL (the advisory lock) and on a SQLite file (the lock
file beside it), for every service, from an empty database and from one of the release before
migrations with rows in it."""

from __future__ import annotations

import multiprocessing
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from campaign_kit.db import Database
from campaign_kit.migrations import VERSION_TABLE, head_revision, schema_drift
from devkit.infra import PostgresServer
from devkit.schema_revision import SERVICE_TABLES, service_tables
from tests.migrations.release import contents, fill_every_table, load_release_schema

INSTANCES = 4


def start_instance(databases: list[tuple[str, str]], barrier: Any, results: Any) -> None:
    """One instance: for each database in turn, wait for the others, then the start's
    schema step."""
    for service, url in databases:
        db = Database(url, service_tables(service))
        barrier.wait(120)
        try:
            change = db.create_schema()
            assert change is not None
            results.put((url, "changed" if change.before != change.after else "unchanged"))
        except Exception as error:  # reported to the test, which fails on it
            results.put((url, f"failed: {error!r}"))
        finally:
            db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    def create() -> str:
        name = f"start_{uuid.uuid4().hex[:10]}"
        if request.param == "sqlite":
            return f"sqlite:///{tmp_path / f'{name}.db'}"
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.create_database(name)
    return create


def test_instances_starting_together_change_the_schema_once(new_database: Any) -> None:
    databases: list[tuple[str, str]] = []
    release_rows: dict[str, tuple[dict[str, list[str]], dict[str, list[Any]]]] = {}
    for service in sorted(SERVICE_TABLES):
        databases.append((service, new_database()))  # empty
        url = new_database()
        load_release_schema(url, service)
        db = Database(url, service_tables(service))
        with db.begin() as connection:
            columns = fill_every_table(connection)
            release_rows[url] = (columns, contents(connection, columns))
        db.dispose()
        databases.append((service, url))

    spawn = multiprocessing.get_context("spawn")
    barrier, results = spawn.Barrier(INSTANCES), spawn.Queue()
    instances = [spawn.Process(target=start_instance, args=(databases, barrier, results))
                 for _ in range(INSTANCES)]
    for instance in instances:
        instance.start()
    outcomes: dict[str, list[str]] = {url: [] for _, url in databases}
    for _ in range(INSTANCES * len(databases)):
        url, outcome = results.get(timeout=240)
        outcomes[url].append(outcome)
    for instance in instances:
        instance.join(60)
        assert instance.exitcode == 0

    for service, url in databases:
        assert sorted(outcomes[url]) == ["changed"] + ["unchanged"] * (INSTANCES - 1), service
        metadata = service_tables(service)
        db = Database(url, metadata)
        with db.begin() as connection:
            versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            assert versions.all() == [(head_revision(metadata),)]
            assert schema_drift(connection, metadata) == []
            if url in release_rows:
                columns, before = release_rows[url]
                assert contents(connection, columns) == before
        db.dispose()
