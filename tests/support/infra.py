"""Real infrastructure for tests: the Kafka broker and PostgreSQL server started by the
repository's own scripts under deploy/, on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KAFKA_SH = ROOT / "deploy" / "kafka" / "kafka.sh"
PG_SH = ROOT / "deploy" / "postgres" / "pg.sh"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_pair() -> int:
    """A port whose successor is free too (the broker's controller takes PORT+1)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no two consecutive free ports on loopback")


def _run(script: Path, args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        ["bash", str(script), *args], env={**os.environ, **env}, capture_output=True, text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


@dataclass
class KafkaBroker:
    port: int
    data_dir: Path
    start_output: str = ""

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {"KAFKA_PORT": str(self.port), "KAFKA_DATA_DIR": str(self.data_dir)}

    def start(self) -> None:
        self.start_output = _run(KAFKA_SH, ["start"], self.env)

    def stop(self) -> None:
        _run(KAFKA_SH, ["stop"], self.env)

    def reset(self) -> None:
        _run(KAFKA_SH, ["reset"], self.env)


@dataclass
class PostgresServer:
    port: int
    data_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return {"PG_PORT": str(self.port), "PG_DATA_DIR": str(self.data_dir)}

    def start(self) -> None:
        _run(PG_SH, ["start"], self.env)

    def create_database(self, name: str) -> str:
        _run(PG_SH, ["createdb", name], self.env)
        return _run(PG_SH, ["url", name], self.env)

    def reset(self) -> None:
        _run(PG_SH, ["reset"], self.env)
