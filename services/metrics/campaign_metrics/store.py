"""The metrics service's own tables: the latest snapshot of each dossier (with the record that
put it there), the indicator cells (with what was last announced of each), the K1 service uses,
the definitions in force and the catalogue's entries, and the shared positions and outbox."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.sql.dml import Insert

from campaign_kit.db import outbox_table, positions_table

metadata = MetaData()
positions = positions_table(metadata)
outbox = outbox_table(metadata)

dossiers = Table(
    "dossiers",
    metadata,
    Column("dossier_code", String(100), primary_key=True),  # MaHoSo
    Column("unit_code", String(100), nullable=False),
    Column("procedure_code", String(100), nullable=False),
    Column("channel", Integer, nullable=False),
    Column("status", Integer, nullable=False),
    Column("received_on", Date, nullable=True),  # local calendar day of NgayTiepNhan
    Column("online_payment", Integer, nullable=False),
    Column("fee_exempt", Boolean, nullable=False),
    Column("receiving_officer", String(200), nullable=True),
    Column("known_to_catalogue", Boolean, nullable=False),
    # The record that placed the dossier here: every figure traces back to it.
    Column("source_topic", String(200), nullable=False),
    Column("source_partition", Integer, nullable=False),
    Column("source_offset", BigInteger, nullable=False),
    Column("record_at_ms", BigInteger, nullable=False),  # the record's Kafka timestamp
    Index("ix_dossiers_unit_day", "unit_code", "received_on"),
    Index("ix_dossiers_unknown", "known_to_catalogue"),
)

CELL_KEY = ["indicator", "subject_kind", "subject_code", "period_kind", "period_key"]

indicator_cells = Table(
    "indicator_cells",
    metadata,
    Column("indicator", String(4), primary_key=True),
    Column("subject_kind", String(20), primary_key=True),
    Column("subject_code", String(200), primary_key=True),
    Column("period_kind", String(20), primary_key=True),
    Column("period_key", String(40), primary_key=True),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("campaign_version", String(40), nullable=False),
    Column("catalogue_version", String(40), nullable=False),
    # Kafka timestamp and position of the latest record that touched the cell.
    Column("as_of_ms", BigInteger, nullable=False),
    Column("last_source", String(260), nullable=True),
    # Coalesced announcements: a changed cell is dirty until the next flush announces it; the
    # emitted_* columns hold what was announced last (the next event's `previous`).
    Column("dirty", Boolean, nullable=False),
    Column("emitted_numerator", Integer, nullable=True),
    Column("emitted_denominator", Integer, nullable=True),
    Column("emitted_versions", String(90), nullable=True),
    Index("ix_indicator_cells_dirty", "dirty"),
)

USAGE_KEY = ["subject_kind", "subject_code", "procedure_code", "period_kind", "period_key"]

service_usage = Table(
    "service_usage",
    metadata,
    # K1: dossiers received online per service (procedure) of a unit or the Department.
    Column("subject_kind", String(20), primary_key=True),
    Column("subject_code", String(200), primary_key=True),
    Column("procedure_code", String(100), primary_key=True),
    Column("period_kind", String(20), primary_key=True),
    Column("period_key", String(40), primary_key=True),
    Column("dossiers", Integer, nullable=False),
)

definitions = Table(
    "definitions",
    metadata,
    # One row: the campaign file and the catalogue the stored figures were computed with.
    Column("id", Integer, primary_key=True),
    Column("campaign_id", String(100), nullable=False),
    Column("campaign_version", String(40), nullable=False),
    Column("campaign_fingerprint", String(40), nullable=False),
    Column("catalogue_version", String(40), nullable=False),
    Column("catalogue_source", String(300), nullable=False),
    Column("catalogue_loaded_at_ms", BigInteger, nullable=False),
)

catalogue_entries = Table(
    "catalogue_entries",
    metadata,
    Column("procedure_code", String(100), primary_key=True),
    Column("unit_code", String(100), primary_key=True),
    Column("procedure_name", String(500), nullable=False),
    Column("online_level", String(20), nullable=False),
    Column("has_fees", Boolean, nullable=False),
)


def insert_for(connection: Connection, table: Table) -> Insert:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def upsert_many(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: list[str]
) -> None:
    """Insert rows, or replace the non-key columns where the key exists; one statement."""
    if not rows:
        return
    stmt: Any = insert_for(connection, table)
    changes = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    connection.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes), rows)


_COMPILED: dict[tuple[str, str], tuple[str, tuple[str, ...] | None]] = {}


def execute_many(
    connection: Connection, name: str, statement: Callable[[Connection], Any],
    rows: Sequence[Mapping[str, Any]],
) -> None:
    """Run one statement for many rows straight through the driver's executemany.

    The statement is compiled once per dialect (under `name`), and SQLAlchemy's per-row
    parameter processing — most of the cost of writing thousands of rows a second — is
    skipped, so row values must already be what the driver takes: str, int, bool, None, and
    dates as `driver_date` gives them."""
    if not rows:
        return
    key = (connection.dialect.name, name)
    entry = _COMPILED.get(key)
    if entry is None:
        compiled = statement(connection).compile(dialect=connection.dialect,
                                                 column_keys=list(rows[0]))
        order = compiled.positiontup
        entry = _COMPILED[key] = (str(compiled), tuple(order) if order else None)
    sql, order = entry
    if order is None:
        connection.exec_driver_sql(sql, list(rows))
    else:
        connection.exec_driver_sql(sql, [tuple(row[k] for k in order) for row in rows])


def driver_date(connection: Connection) -> Callable[[Any], Any]:
    """How a date goes to the driver: SQLite stores the ISO text SQLAlchemy reads back."""
    if connection.dialect.name == "sqlite":
        return lambda day: None if day is None else day.isoformat()
    return lambda day: day


def upsert_statement(table: Table, keys: list[str], columns: Sequence[str]) -> Callable[
        [Connection], Any]:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET every other column, for `execute_many`."""
    def build(connection: Connection) -> Any:
        stmt: Any = insert_for(connection, table)
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={c: stmt.excluded[c] for c in columns if c not in keys}
        )
    return build
