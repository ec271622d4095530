"""Each service's own database through SQLAlchemy Core: SQLite by default, PostgreSQL by URL.

Two tables every service shares in shape (each in its own database): the consumed positions
of its projections, and its outbox of events waiting to be published. A service's tables are
made and changed by its Alembic revisions (`service_metadata`, `campaign_kit.migrations`).
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.sql.dml import Insert

from campaign_kit.migrations import (
    REVISIONS,
    VERSION_TABLE,
    SchemaChange,
    revisions_of,
    upgrade_to_head,
)

log = logging.getLogger(__name__)


def service_metadata(revisions: str) -> MetaData:
    """A service's tables, whose schema is made and changed only by the Alembic revisions in
    the package `revisions` (e.g. "campaign_awards.migrations"), never by create_all."""
    return MetaData(info={REVISIONS: revisions})


def positions_table(metadata: MetaData) -> Table:
    """Last consumed offset of each (consumer, topic, partition): the projection's bookmark."""
    return Table(
        "consumed_positions",
        metadata,
        Column("consumer", String(100), primary_key=True),
        Column("topic", String(200), primary_key=True),
        Column("partition", Integer, primary_key=True),
        Column("offset", BigInteger, nullable=False),
    )


def outbox_table(metadata: MetaData) -> Table:
    """Events written in the same transaction as the change that caused them."""
    return Table(
        "outbox",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=True),
        Column("payload", LargeBinary, nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True, index=True),
    )


# Any fixed 64-bit number, the same in every instance of every service (each has its own
# database, so one key is enough). The release before migrations took the same lock around its
# create_all: an instance of it starting beside a new one waits too.
SCHEMA_LOCK_KEY = 0x6C73646F74  # "lsdot"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


class Database:
    """An engine plus the service's metadata; `begin()` is one transaction."""

    def __init__(self, url: str, metadata: MetaData) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=not self.is_sqlite)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.metadata = metadata

    def create_schema(self) -> SchemaChange | None:
        """Bring the database to the code's schema, under the schema lock so that instances
        starting together do not race: the service's revisions upgrade it to the newest one
        (stamping a database of the release before migrations at the baseline first). Tables
        that name no revisions (a test's own) are created with create_all."""
        with self.schema_lock() as connection:
            if revisions_of(self.metadata) is None:
                self.metadata.create_all(connection)
                return None
            change = upgrade_to_head(connection, self.metadata)
        log.info(change.describe())
        return change

    def drop_schema(self) -> None:
        """Drop the tables and the version record, so that `create_schema` builds them anew."""
        self.metadata.drop_all(self.engine)
        if revisions_of(self.metadata) is not None:
            with self.engine.begin() as connection:
                connection.execute(text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))

    @contextmanager
    def schema_lock(self) -> Iterator[Connection]:
        """One transaction in which no other instance changes the schema: PostgreSQL's
        advisory lock, or for a SQLite file an exclusive lock on a file beside it (Alembic's
        DDL on SQLite is not transactional: two processes would both build the tables)."""
        database = self.engine.url.database
        beside = (Path(f"{database}.schema-lock")
                  if self.is_sqlite and database and database != ":memory:" else None)
        with _file_lock(beside), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": SCHEMA_LOCK_KEY})
            yield connection

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        with self.engine.begin() as connection:
            yield connection

    def ping(self) -> bool:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def _file_lock(path: Path | None) -> Iterator[None]:
    if path is None:
        yield
        return
    with path.open("a") as held:  # the lock goes with the file's closing
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


def insert_for(connection: Connection, table: Table) -> Insert:
    """The dialect's INSERT, which knows ON CONFLICT (SQLite and PostgreSQL)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    if connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)
    raise NotImplementedError(f"upsert on {connection.dialect.name}")  # pragma: no cover


def upsert(connection: Connection, table: Table, values: dict[str, Any], keys: list[str]) -> None:
    """Insert a row, or update it where its key columns match (SQLite and PostgreSQL)."""
    upsert_many(connection, table, [values], keys)


def upsert_many(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]], keys: list[str]
) -> None:
    """Insert rows, or replace the non-key columns where the key exists; one statement."""
    if not rows:
        return
    stmt: Any = insert_for(connection, table)
    changes = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
    connection.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changes), rows)


_COMPILED: dict[tuple[str, str], tuple[str, bool]] = {}
_json_rows = msgspec.json.Encoder().encode  # dates as ISO days, as PostgreSQL reads them


def write_many(
    connection: Connection, name: str, statement: Callable[[Connection], Any],
    columns: Sequence[str], rows: Sequence[tuple[Any, ...]],
) -> None:
    """Run one INSERT (.. ON CONFLICT ..) for many rows, given as tuples in `columns` order.

    SQLite, in process, takes the rows through the driver's executemany. PostgreSQL gets one
    statement over all of them, as one JSON array of row arrays (`INSERT .. SELECT (e->>0)::..
    FROM jsonb_array_elements(..) e ON CONFLICT ..`): a statement per row cost a
    parse-bind-execute each on the server, a quarter of a second for a batch of 5,000 records,
    and one SQL array per column cost psycopg ~2 µs per value to write, where msgspec writes
    the JSON in C. jsonb, not json: the server parses the array once, where `->>` on a json
    value parses its row again for every column (the metrics snapshot upsert, 16 columns, went
    from ~24 to ~9 µs of server time per row). Rows must not repeat a conflict key (one
    statement cannot update a row twice).

    The statement is compiled once per dialect (under `name`), and SQLAlchemy's per-row
    parameter processing (most of the cost of writing thousands of rows a second) is skipped,
    so row values must already be what the driver takes: str, int, bool, None, and dates as
    `driver_date` gives them."""
    if not rows:
        return
    key = (connection.dialect.name, name)
    entry = _COMPILED.get(key)
    if entry is None:
        entry = _COMPILED[key] = _compile_many(connection, statement(connection), columns)
    sql, by_arrays = entry
    if by_arrays:
        connection.exec_driver_sql(sql, (_json_rows(rows).decode("utf-8"),))
    else:
        connection.exec_driver_sql(sql, list(rows))


def _compile_many(connection: Connection, stmt: Any, columns: Sequence[str]) -> tuple[str, bool]:
    dialect: Any = connection.dialect
    by_arrays = dialect.name == "postgresql"
    if by_arrays:  # the same driver with positional parameters, to find the VALUES clause
        dialect = type(dialect)(paramstyle="format")
    compiled = stmt.compile(dialect=dialect, column_keys=list(columns))
    if tuple(compiled.positiontup or ()) != tuple(columns):
        raise ValueError(f"{columns}: write_many takes statements whose only parameters are "
                         "the inserted columns, in that order")
    sql = str(compiled)
    if not by_arrays:
        return sql, False
    start = sql.index(" VALUES (") + 1
    depth, end = 0, start + len("VALUES ")
    while True:  # the clause ends at its matching parenthesis
        depth += {"(": 1, ")": -1}.get(sql[end], 0)
        if depth == 0:
            break
        end += 1
    fields = ", ".join(f"(e->>{i})::{stmt.table.c[c].type.compile(dialect)}"
                       for i, c in enumerate(columns))
    return f"{sql[:start]}SELECT {fields} FROM jsonb_array_elements(%s::jsonb) AS e" \
           f"{sql[end + 1:]}", True


_ISO_DAYS: dict[Any, str | None] = {None: None}


def _iso_day(day: Any) -> str | None:
    """A day's ISO text, kept: a feed's records fall on a few hundred days."""
    text = _ISO_DAYS.get(day)
    if text is None and day is not None:
        if len(_ISO_DAYS) > 10_000:
            _ISO_DAYS.clear()
            _ISO_DAYS[None] = None
        text = _ISO_DAYS[day] = day.isoformat()
    return text


def driver_date(connection: Connection) -> Callable[[Any], Any]:
    """How a date goes to the driver: SQLite stores the ISO text SQLAlchemy reads back."""
    if connection.dialect.name == "sqlite":
        return _iso_day
    return lambda day: day


def upsert_statement(
    table: Table, keys: list[str], columns: Sequence[str]
) -> Callable[[Connection], Any]:
    """INSERT ... ON CONFLICT (keys) DO UPDATE SET every other column, for `write_many`."""
    def build(connection: Connection) -> Any:
        stmt: Any = insert_for(connection, table)
        return stmt.on_conflict_do_update(
            index_elements=keys, set_={c: stmt.excluded[c] for c in columns if c not in keys}
        )
    return build


def as_utc(moment: datetime) -> datetime:
    """Times are stored in UTC; SQLite hands them back without a zone."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
