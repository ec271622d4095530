"""`python -m campaign_<service> migrate [--sql]`, the operator's command, run as a process:
it upgrades (or prints the SQL of the upgrade, changing nothing), and a failure is one line
with exit status 1."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from campaign_kit.db import Database
from campaign_kit.migrations import VERSION_TABLE, head_revision
from devkit.infra import PostgresServer, free_port
from devkit.schema_revision import SERVICE_TABLES, service_tables
from tests.migrations.release import load_release_schema
from tests.unit.test_bad_starts import start, the_error_line


def migrate(service: str, *args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": "", **environment}
    return subprocess.run([sys.executable, "-m", f"campaign_{service}", "migrate", *args],
                          env=env, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("service", sorted(SERVICE_TABLES))
def test_each_service_migrates_its_default_database(service: str, tmp_path: Path) -> None:
    done = migrate(service, DATA_DIR=str(tmp_path))
    head = head_revision(service_tables(service))
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == f"{service}: schema upgraded from an empty database to revision {head}\n"
    assert (tmp_path / f"{service}.db").exists()


@pytest.mark.postgres
def test_an_operator_upgrades_a_release_database(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database(f"operator_{uuid.uuid4().hex[:10]}")
    load_release_schema(url, "awards")
    head = head_revision(service_tables("awards"))

    shown = migrate("awards", "--sql", DATABASE_URL=url)
    assert shown.returncode == 0, shown.stderr
    # the SQL ends at the newest revision: stamped there at once, or moved there last
    assert (f"INSERT INTO {VERSION_TABLE} (version_num) VALUES ('{head}')" in shown.stdout
            or f"UPDATE {VERSION_TABLE} SET version_num='{head}'" in shown.stdout)
    db = Database(url, service_tables("awards"))
    try:
        with db.begin() as connection:  # --sql only shows
            assert VERSION_TABLE not in inspect(connection).get_table_names()

        done = migrate("awards", DATABASE_URL=url)
        assert done.returncode == 0, done.stderr
        assert done.stdout == ("awards: schema upgraded from the release before migrations "
                               f"(stamped at the baseline) to revision {head}\n")
        again = migrate("awards", DATABASE_URL=url)
        assert again.stdout == f"awards: schema at revision {head}, nothing to do\n"

        with db.begin() as connection:  # a newer release's database
            connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
        ahead = migrate("awards", DATABASE_URL=url)
        assert ahead.returncode == 1
        assert ahead.stderr == ("awards migrate: error: the database is at revision 9999, "
                                "which this release does not know (a newer release's database?)\n")
    finally:
        db.dispose()

    closed = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/awards"
    unreachable = migrate("awards", DATABASE_URL=closed)
    assert unreachable.returncode == 1 and unreachable.stdout == ""
    assert unreachable.stderr.startswith("awards migrate: error: connection failed")
    assert len(unreachable.stderr.splitlines()) == 1


def test_a_service_started_on_a_newer_releases_database_stops_with_one_line(
    tmp_path: Path,
) -> None:
    assert migrate("awards", DATA_DIR=str(tmp_path)).returncode == 0
    db = Database(f"sqlite:///{tmp_path / 'awards.db'}", service_tables("awards"))
    with db.begin() as connection:
        connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '9999'"))
    db.dispose()
    result = start("awards", DATA_DIR=str(tmp_path))
    assert result.returncode == 1
    assert the_error_line(result) == (
        "startup error: DATABASE_URL: schema step failed: the database is at revision 9999, "
        "which this release does not know (a newer release's database?)")
