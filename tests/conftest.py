"""Session fixtures: one real Kafka broker and one real PostgreSQL server per test session
(started on free loopback ports by deploy/ scripts), unique topics and databases per test.

Set TEST_KAFKA_BOOTSTRAP to use a broker that is already running instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.infra import KafkaBroker, PostgresServer, free_port, free_port_pair
from tests.support.reports import REPORT, report


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if os.environ.get("TEST_KAFKA_BOOTSTRAP"):
        yield os.environ["TEST_KAFKA_BOOTSTRAP"]
        return
    broker = KafkaBroker(free_port_pair(), tmp_path_factory.mktemp("kafka"))
    broker.start()
    report("kafka broker start", broker.start_output)
    try:
        yield broker.bootstrap
    finally:
        broker.reset()


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    server = PostgresServer(free_port(), Path(tmp_path_factory.mktemp("pg")) / "data")
    server.start()
    try:
        yield server
    finally:
        server.reset()


@pytest.fixture
def topic_prefix() -> str:
    """Unique topic names for each test on the one session broker."""
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each projection test runs against SQLite and against the real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'service.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture
def rebuilt_database_url(database_url: str, request: pytest.FixtureRequest,
                         tmp_path: Path) -> str:
    """A second, empty database of the same kind, for rebuild tests."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'rebuilt.db'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database(f"test_{uuid.uuid4().hex[:12]}")


def pytest_sessionstart(session: pytest.Session) -> None:
    REPORT.unlink(missing_ok=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORT.exists():
        terminalreporter.section("measured figures")
        for line in REPORT.read_text(encoding="utf-8").splitlines():
            terminalreporter.write_line(line)
