"""The release before migrations (commit 87c062c) as it really was: each service's tables from
that release's create_all, kept as schema-only dumps (see release_87c062c/README.md), and
helpers to load them, fill them with rows and describe a schema for comparison."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, MetaData, create_engine, inspect, select
from sqlalchemy.engine import make_url

from campaign_kit.migrations import VERSION_TABLE

DUMPS = Path(__file__).with_name("release_87c062c")


def load_release_schema(url: str, service: str) -> None:
    """Run the release's dump into an empty database, as a DBA restoring it would."""
    dialect = make_url(url).get_backend_name()
    sql = (DUMPS / f"{service}.{dialect}.sql").read_text(encoding="utf-8")
    if dialect == "sqlite":
        with sqlite3.connect(str(make_url(url).database)) as connection:
            connection.executescript(sql)
        return
    # \restrict and \unrestrict are psql's guard against a hostile server; they carry no schema.
    statements = "\n".join(line for line in sql.splitlines() if not line.startswith("\\"))
    engine = create_engine(url)  # its own: the dump empties the session's search_path
    try:
        raw = engine.raw_connection()
        try:
            raw.cursor().execute(statements)
            raw.commit()
        finally:
            raw.close()
    finally:
        engine.dispose()


def _sample(column_type: Any, length: int | None, n: int) -> Any:
    python_type = column_type.python_type
    if python_type is str:
        return f"{n}-Lạng Sơn"[: length or None]
    if python_type is bool:
        return n % 2 == 0
    if python_type is int:
        return n + 1
    if python_type is Decimal:
        return Decimal("12.5") + n
    if python_type is datetime:
        return datetime(2024, 6, 10 + n, 8, 30, tzinfo=UTC)
    if python_type is date:
        return date(2024, 6, 10 + n)
    if python_type is bytes:
        return f"payload {n}".encode()
    raise AssertionError(f"no sample for {column_type!r}")


def fill_every_table(connection: Connection, rows: int = 3) -> dict[str, list[str]]:
    """Put `rows` rows in every table of the database as it is (reflected: the release's
    columns, whatever the code declares now); returns each table's columns."""
    tables = MetaData()
    tables.reflect(connection)
    for table in tables.sorted_tables:
        connection.execute(table.insert(), [
            {c.name: _sample(c.type, getattr(c.type, "length", None), n) for c in table.columns}
            for n in range(rows)
        ])
    return {table.name: [c.name for c in table.columns] for table in tables.sorted_tables}


def contents(connection: Connection, columns: dict[str, list[str]]) -> dict[str, list[Any]]:
    """The rows of these tables, in key order, reading only these columns of each."""
    tables = MetaData()
    tables.reflect(connection, only=list(columns))
    held: dict[str, list[Any]] = {}
    for name, names in columns.items():
        table = tables.tables[name]
        order = list(table.primary_key.columns) or [table.c[n] for n in names]
        query = select(*(table.c[n] for n in names)).order_by(*order)
        held[name] = [tuple(row) for row in connection.execute(query)]
    return held


def structure(connection: Connection) -> dict[str, Any]:
    """A schema as the database describes it (columns with types, nullability and defaults,
    keys, indexes, unique constraints, foreign keys), the version table left out."""
    inspector = inspect(connection)
    described: dict[str, Any] = {}
    for name in sorted(set(inspector.get_table_names()) - {VERSION_TABLE}):
        described[name] = {
            "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                        for c in inspector.get_columns(name)],
            "primary key": inspector.get_pk_constraint(name),
            "indexes": sorted((i["name"], tuple(i["column_names"]), i["unique"])
                              for i in inspector.get_indexes(name)),
            "unique": sorted((str(u["name"]), tuple(u["column_names"]))
                             for u in inspector.get_unique_constraints(name)),
            "foreign keys": sorted(str(f) for f in inspector.get_foreign_keys(name)),
        }
    return described


