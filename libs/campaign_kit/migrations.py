"""Each service's schema as Alembic revisions, kept in the service's own package
(`campaign_<service>/migrations`) so that they ship with it.

A service's metadata names its revisions (`campaign_kit.db.service_metadata`), and
`Database.create_schema` brings any database to the newest one: an empty database is built by
the revisions (never by `create_all`); a database of the release before migrations (the
service's tables there, no `alembic_version`) is first stamped at the service's first revision,
which is exactly that release's schema. The Alembic environment (`alembic_env/`: env.py and
the template of new revisions) is the kit's, shared by every service; there is no alembic.ini.
"""

from __future__ import annotations

import argparse
import importlib
import io
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command, op
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, Engine, MetaData, inspect
from sqlalchemy.exc import SQLAlchemyError

# The key of MetaData.info naming the package that holds a service's revisions.
REVISIONS = "revisions"
ENVIRONMENT = Path(__file__).with_name("alembic_env")
VERSION_TABLE = "alembic_version"
# Alembic's `op` and `context` are module-wide proxies: one migration at a time per process
# (threads each upgrading their own database would otherwise swap them under each other).
_ONE_AT_A_TIME = threading.Lock()


def revisions_of(metadata: MetaData) -> str | None:
    revisions = metadata.info.get(REVISIONS)
    return revisions if isinstance(revisions, str) else None


def alembic_config(
    revisions: str, metadata: MetaData, *, connection: Connection | None = None,
    url: str | None = None, output: io.StringIO | None = None,
) -> Config:
    """Alembic's configuration: the kit's environment, the service's revisions, and what
    env.py hands to Alembic (a connection, or a URL for `--sql`)."""
    module = importlib.import_module(revisions)
    config = Config(output_buffer=output) if output is not None else Config()
    config.set_main_option("script_location", str(ENVIRONMENT))
    config.set_main_option("version_locations", str(Path(str(module.__file__)).parent))
    config.set_main_option("path_separator", "os")
    # "r": a module name may not start with the revision's digits.
    config.set_main_option("file_template", "r%%(rev)s_%%(slug)s")
    config.attributes.update(connection=connection, metadata=metadata, url=url)
    return config


def baseline(config: Config) -> str:
    """The service's first revision: the schema of the release before migrations."""
    base = ScriptDirectory.from_config(config).get_base()
    if base is None:
        raise CommandError("the service has no revisions")
    return base


def head_revision(metadata: MetaData) -> str | None:
    """The newest revision of the service whose tables these are."""
    config = alembic_config(_revisions(metadata), metadata)
    return ScriptDirectory.from_config(config).get_current_head()


@dataclass(frozen=True)
class SchemaChange:
    before: str | None  # the revision found; None for an empty or an unversioned database
    after: str
    stamped: bool  # a database of the release before migrations, stamped at the baseline

    def describe(self) -> str:
        if self.before == self.after:
            return f"schema at revision {self.after}, nothing to do"
        start = ("the release before migrations (stamped at the baseline)" if self.stamped
                 else f"revision {self.before}" if self.before else "an empty database")
        return f"schema upgraded from {start} to revision {self.after}"


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def has_release_tables(connection: Connection, metadata: MetaData) -> bool:
    """The service's tables there but no version table: the release before migrations."""
    names = set(inspect(connection).get_table_names())
    return VERSION_TABLE not in names and bool(names & set(metadata.tables))


def upgrade_to_head(connection: Connection, metadata: MetaData) -> SchemaChange:
    """Stamp a database of the release before migrations at the baseline, then upgrade to the
    newest revision; on the caller's connection, inside its transaction and lock."""
    config = alembic_config(_revisions(metadata), metadata, connection=connection)
    before = current_revision(connection)
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if before is not None and before not in known:
        raise CommandError(f"the database is at revision {before}, which this release does not "
                           "know (a newer release's database?)")
    stamped = before is None and has_release_tables(connection, metadata)
    with _ONE_AT_A_TIME:
        if stamped:
            command.stamp(config, baseline(config))
        command.upgrade(config, "head")
    return SchemaChange(before, str(current_revision(connection)), stamped)


def upgrade_sql(engine: Engine, metadata: MetaData) -> str:
    """The SQL an upgrade of this database would run, from the revision it is at (read, not
    changed), for an operator who applies it by hand."""
    with engine.connect() as connection:
        before = current_revision(connection)
        stamp = before is None and has_release_tables(connection, metadata)
    output = io.StringIO()
    config = alembic_config(_revisions(metadata), metadata,
                            url=engine.url.render_as_string(hide_password=False),
                            output=output)
    with _ONE_AT_A_TIME:
        if stamp:
            before = baseline(config)
            command.stamp(config, before, sql=True)
        command.upgrade(config, f"{before}:head" if before else "head", sql=True)
    return output.getvalue()


def schema_drift(connection: Connection, metadata: MetaData) -> list[Any]:
    """What differs between the database and the tables the code declares (Alembic's
    comparison, column types included); empty when the revisions match the code."""
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata)) + _partial_index_drift(connection, metadata)


def _partial_index_drift(connection: Connection, metadata: MetaData) -> list[Any]:
    """Indexes declared partial (a `where` clause) but whole in the database, or the other way:
    Alembic's comparison does not look at an index's predicate."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    elif dialect == "sqlite":
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    else:
        return []
    partial_in_database = {name: " WHERE " in (definition or "").upper()
                           for name, definition in connection.exec_driver_sql(query)}
    drift: list[Any] = []
    for table in metadata.tables.values():
        for index in table.indexes:
            declared = index.dialect_options[dialect].get("where") is not None
            if index.name in partial_in_database and \
                    partial_in_database[index.name] != declared:
                drift.append(("partial_index", table.name, index.name, declared))
    return drift


def create_positions_and_outbox() -> None:
    """The kit's two tables (`positions_table`, `outbox_table`) as every service's first
    revision creates them. Frozen like any revision: a later change to either table is a new
    revision in each service, never an edit here."""
    op.create_table(
        "consumed_positions",
        sa.Column("consumer", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("offset", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "topic", "partition"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outbox_published_at"), "outbox", ["published_at"])


def _revisions(metadata: MetaData) -> str:
    revisions = revisions_of(metadata)
    if revisions is None:
        raise CommandError("these tables name no revisions (campaign_kit.db.service_metadata)")
    return revisions


def migrate_main(service: str, metadata: MetaData, argv: Sequence[str] | None = None) -> int:
    """`python -m campaign_<service> migrate [--sql]`: bring the service's database to this
    release's schema, or print the SQL that would; a failure is one line and exit status 1."""
    from campaign_kit.db import Database
    from campaign_kit.settings import DatabaseSettings, load_settings

    parser = argparse.ArgumentParser(
        prog=f"python -m campaign_{service} migrate",
        description="Bring the service's database (DATABASE_URL, or the SQLite file in "
        "DATA_DIR) to this release's schema. The service does the same at every start; "
        "instances starting meanwhile wait for the same lock.")
    parser.add_argument("--sql", action="store_true",
                        help="print the SQL of the upgrade instead of running it")
    args = parser.parse_args(argv)
    url = load_settings(DatabaseSettings).sqlalchemy_url(service)
    db: Database | None = None
    try:
        db = Database(url, metadata)
        if args.sql:
            sys.stdout.write(upgrade_sql(db.engine, db.metadata))
        else:
            change = db.create_schema()
            print(f"{service}: {change.describe() if change else 'tables created'}")
    except (SQLAlchemyError, CommandError, OSError) as error:
        print(f"{service} migrate: error: {one_line(error)}", file=sys.stderr)
        return 1
    finally:
        if db is not None:
            db.dispose()
    return 0


def one_line(error: BaseException) -> str:
    """The first line of an error: the driver's own message, without SQLAlchemy's SQL and
    background link."""
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__
