"""Real infrastructure for tests: the Kafka broker and PostgreSQL server started by the
repository's own scripts under deploy/, on free loopback ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KAFKA_SH = ROOT / "deploy" / "kafka" / "kafka.sh"
PG_SH = ROOT / "deploy" / "postgres" / "pg.sh"


_GIVEN: set[int] = set()


def _kernel_port() -> int:
    """A port the kernel says is free on loopback now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port() -> int:
    """A free loopback port, never one this process has handed out before: the kernel may
    give a port just closed again, and a service asked for its gRPC and metrics ports in a
    row once got the same port for both (and did not start)."""
    for _ in range(100):
        port = _kernel_port()
        if port not in _GIVEN:
            _GIVEN.add(port)
            return port
    raise RuntimeError("no free loopback port that was not handed out already")


def free_port_pair() -> int:
    """A port whose successor is free too (the broker's controller takes PORT+1)."""
    for _ in range(50):
        port = free_port()
        if port + 1 in _GIVEN:  # free now, but handed out already to someone about to bind it
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        _GIVEN.add(port + 1)
        return port
    raise RuntimeError("no two consecutive free ports on loopback")


def _run(script: Path, args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        ["bash", str(script), *args], env={**os.environ, **env}, capture_output=True, text=True,
        timeout=600,
    )
    if result.returncode != 0:
        command = f"{script.name} {' '.join(args)}"
        raise RuntimeError(f"{command} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout.strip()


@dataclass
class KafkaBroker:
    port: int
    data_dir: Path
    start_output: str = ""
    # Appended to server.properties (e.g. SSL / SASL_SSL listeners), and extra arguments of the
    # storage format (e.g. `--add-scram ...`): see deploy/kafka/kafka.sh.
    extra_properties: Path | None = None
    format_args: str = ""

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {"KAFKA_PORT": str(self.port), "KAFKA_DATA_DIR": str(self.data_dir),
               "KAFKA_FORMAT_ARGS": self.format_args}
        if self.extra_properties is not None:
            env["KAFKA_EXTRA_PROPERTIES"] = str(self.extra_properties)
        return env

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


class PrometheusServer:
    """Debian's Prometheus, scraping the given /metrics targets every second."""

    def __init__(self, data_dir: Path, targets: dict[str, int], rules: Path | None = None,
                 port: int | None = None) -> None:
        self.port = port or free_port()
        self.data_dir = data_dir
        self.targets = targets
        self.rules = rules  # alert rules to evaluate (deploy/prometheus/rules.yml)
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> PrometheusServer:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        config = self.data_dir / "prometheus.yml"
        static = "\n".join(
            f"      - targets: ['127.0.0.1:{port}']\n        labels: {{service: {name}}}"
            for name, port in self.targets.items()
        )
        rule_files = f"rule_files: ['{self.rules}']\n" if self.rules else ""
        config.write_text(
            "global: {scrape_interval: 1s, evaluation_interval: 5s}\n" + rule_files +
            "scrape_configs:\n  - job_name: campaign\n"
            f"    static_configs:\n{static}\n", encoding="utf-8",
        )
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={config}",
             f"--storage.tsdb.path={self.data_dir / 'tsdb'}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=(self.data_dir / "prometheus.log").open("wb"), stderr=subprocess.STDOUT,
        )
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(30)

    def targets_up(self) -> set[str]:
        """The `service` labels of the targets whose last scrape succeeded."""
        active = self.api("/api/v1/targets")["data"]["activeTargets"]
        return {t["labels"]["service"] for t in active if t["health"] == "up"}

    def api(self, path: str) -> Any:
        url = f"http://127.0.0.1:{self.port}{path}"
        with urllib.request.urlopen(url, timeout=5) as reply:
            return json.loads(reply.read())
