"""A table changed in the code gets its revision from one command (`python -m
devkit.schema_revision SERVICE "what"`), and a database of the release before migrations,
rows in it, is stamped at the baseline and then really upgraded through the new revision (on
SQLite, where Alembic rebuilds the table, and on PostgreSQL)."""

from __future__ import annotations

import importlib
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, String, select

import campaign_workspace.migrations
from campaign_kit.db import Database
from campaign_kit.migrations import REVISIONS, current_revision, schema_drift
from devkit.schema_revision import service_tables, write_revision
from tests.migrations.release import contents, fill_every_table, load_release_schema

WARD = "Phường Đông Kinh"


@pytest.fixture
def tables_with_a_ward(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MetaData:
    """The workspace's tables with one column more, and a package of revisions holding only a
    copy of the workspace's baseline: what a helper who changed the table starts from."""
    name = f"revisions_{uuid.uuid4().hex[:8]}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copy(Path(str(campaign_workspace.migrations.__file__)).with_name("r0001_baseline.py"),
                package)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    metadata = MetaData(info={REVISIONS: name})
    for table in service_tables("workspace").tables.values():
        table.to_metadata(metadata)
    metadata.tables["accounts"].append_column(
        Column("ward", String(100), nullable=False, server_default=WARD))
    return metadata


def test_one_command_writes_the_revision_and_a_release_database_is_upgraded_through_it(
    tables_with_a_ward: MetaData, database_url: str,
) -> None:
    written = write_revision(tables_with_a_ward, "accounts: the ward of each person")
    assert written is not None and written.name == "r0002_accounts_the_ward_of_each_person.py"
    assert "add_column" in written.read_text(encoding="utf-8")
    assert write_revision(tables_with_a_ward, "again") is None  # nothing left to write

    load_release_schema(database_url, "workspace")
    db = Database(database_url, tables_with_a_ward)
    try:
        with db.begin() as connection:
            columns = fill_every_table(connection)
            before = contents(connection, columns)
        change = db.create_schema()
        assert change is not None and change.stamped and change.after == "0002"
        with db.begin() as connection:
            assert current_revision(connection) == "0002"
            assert schema_drift(connection, tables_with_a_ward) == []
            assert contents(connection, columns) == before
            accounts = tables_with_a_ward.tables["accounts"]
            wards = connection.execute(select(accounts.c.ward)).scalars().all()
            assert wards == [WARD] * len(before["accounts"])
    finally:
        db.dispose()
