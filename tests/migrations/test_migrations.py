"""Every service's schema comes from its Alembic revisions, on SQLite and on the real
PostgreSQL: the revisions match the tables the code declares (this fails when a table changes
without a revision: write one with `python -m devkit.schema_revision SERVICE "what"`), the
first revision is exactly the release before migrations, and a database of that release is
stamped and upgraded with its rows kept."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Column, Integer, MetaData, String, inspect, text

from campaign_kit.db import Database
from campaign_kit.migrations import (
    VERSION_TABLE,
    alembic_config,
    baseline,
    current_revision,
    head_revision,
    schema_drift,
)
from devkit.schema_revision import SERVICE_TABLES, service_tables
from tests.migrations.release import contents, fill_every_table, load_release_schema, structure

SERVICES = sorted(SERVICE_TABLES)


@pytest.mark.parametrize("service", SERVICES)
def test_the_revisions_build_what_the_code_declares(service: str, database_url: str) -> None:
    metadata = service_tables(service)
    db = Database(database_url, metadata)
    try:
        change = db.create_schema()
        assert change is not None and change.before is None and not change.stamped
        with db.begin() as connection:
            assert current_revision(connection) == head_revision(metadata)
            assert schema_drift(connection, metadata) == []
        again = db.create_schema()
        assert again is not None and again.before == again.after  # a restart changes nothing
        db.drop_schema()  # a rebuild: the version goes with the tables, and comes back
        with db.begin() as connection:
            assert inspect(connection).get_table_names() == []
        db.create_schema()
        with db.begin() as connection:
            assert current_revision(connection) == head_revision(metadata)
    finally:
        db.dispose()


def test_the_drift_check_sees_a_table_changed_without_a_revision(database_url: str) -> None:
    metadata = service_tables("workspace")
    db = Database(database_url, metadata)
    changed = MetaData(info=metadata.info)
    for table in metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["accounts"].append_column(Column("ward", String(100), nullable=True))
    retyped = MetaData(info=metadata.info)
    for table in metadata.tables.values():
        copy = table.to_metadata(retyped)
        if table.name == "accounts":
            copy.c.unit_code.type = Integer()
    try:
        db.create_schema()
        with db.begin() as connection:
            added = schema_drift(connection, changed)
            assert [(d[0], d[3].name) for d in added] == [("add_column", "ward")]
            assert schema_drift(connection, retyped) != []
    finally:
        db.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_the_first_revision_is_the_release_before_migrations(
    service: str, database_url: str, rebuilt_database_url: str,
) -> None:
    """The database the first revision builds is the one the release's create_all built (the
    committed dump), down to the names of keys, indexes and sequences: stamping a database of
    that release at the first revision says nothing false."""
    metadata = service_tables(service)
    load_release_schema(database_url, service)
    release, built = Database(database_url, metadata), Database(rebuilt_database_url, metadata)
    try:
        with built.schema_lock() as connection:
            config = alembic_config(str(metadata.info["revisions"]), metadata,
                                    connection=connection)
            command.upgrade(config, baseline(config))
        with release.begin() as old, built.begin() as new:
            assert structure(new) == structure(old)
            assert structure(old) != {}
    finally:
        release.dispose()
        built.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_a_database_of_the_release_before_migrations_is_stamped_and_upgraded(
    service: str, database_url: str,
) -> None:
    metadata = service_tables(service)
    load_release_schema(database_url, service)
    db = Database(database_url, metadata)
    try:
        with db.begin() as connection:
            assert VERSION_TABLE not in inspect(connection).get_table_names()
            columns = fill_every_table(connection)
            before = contents(connection, columns)
        assert before and all(len(rows) == 3 for rows in before.values())
        change = db.create_schema()  # what the service does at start
        assert change is not None and change.stamped and change.before is None
        with db.begin() as connection:
            assert change.after == current_revision(connection) == head_revision(metadata)
            assert schema_drift(connection, metadata) == []
            assert contents(connection, columns) == before
            versions = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}"))
            assert versions.all() == [(change.after,)]
    finally:
        db.dispose()
