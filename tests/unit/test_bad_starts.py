"""A bad start ends in one readable line naming what is wrong, run as the real service
processes: a gRPC or /metrics port in use, a missing or invalid campaign or catalogue file, an
unreachable broker (after a bounded wait), a closed pipe under `... | head`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path

import grpc
import pytest

from devkit.infra import ROOT
from tests.unit.test_service_cli import clean_env

UNREACHABLE = "127.0.0.1:1"  # nothing listens on port 1


def start(service: str, *args: str, timeout: float = 60, **env: str
          ) -> subprocess.CompletedProcess[str]:
    base = {"GRPC_PORT": "0", "METRICS_PORT": "0", "KAFKA_BOOTSTRAP_SERVERS": UNREACHABLE,
            "KAFKA_CONNECT_TIMEOUT_S": "2", "DATA_DIR": env.pop("DATA_DIR", "")}
    return subprocess.run(
        [sys.executable, "-m", f"campaign_{service}", *args],
        env=clean_env(**{**base, **env}), cwd=ROOT, capture_output=True, text=True,
        timeout=timeout,
    )


def the_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one non-log line on stderr; log lines are JSON objects."""
    assert "Traceback" not in result.stderr, result.stderr
    plain = [line for line in result.stderr.splitlines() if not line.startswith("{")]
    assert len(plain) == 1, result.stderr
    return plain[0]


@pytest.fixture
def data_dir(tmp_path: Path) -> str:
    return str(tmp_path / "var")


@pytest.fixture
def shared_grpc_port() -> Iterator[int]:
    """A port held by a gRPC server with gRPC's default options (port reuse on), as a first
    instance of a service holds it."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield port
    finally:
        server.stop(None)


@pytest.mark.parametrize("service", ["awards", "dossiers"])
def test_a_second_instance_on_a_grpc_port_refuses_to_start_and_names_the_port(
    service: str, shared_grpc_port: int, data_dir: str
) -> None:
    result = start(service, GRPC_PORT=str(shared_grpc_port), DATA_DIR=data_dir)
    assert result.returncode == 1
    line = the_error_line(result)
    assert line.startswith("startup error: GRPC_PORT"), line
    assert f":{shared_grpc_port}" in line


def test_a_metrics_port_in_use_stops_the_service_with_one_line(data_dir: str) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = start("notifier", METRICS_PORT=str(port), DATA_DIR=data_dir)
    assert result.returncode == 1
    line = the_error_line(result)
    assert line.startswith("startup error: METRICS_PORT") and f":{port}" in line, line


def test_an_unreachable_broker_is_named_after_a_bounded_wait(data_dir: str) -> None:
    began = time.monotonic()
    result = start("awards", DATA_DIR=data_dir)
    waited = time.monotonic() - began
    assert result.returncode == 1
    line = the_error_line(result)
    assert "Kafka unreachable" in line and UNREACHABLE in line, line
    assert waited < 30, f"waited {waited:.0f}s for an unreachable broker"


@pytest.mark.parametrize("service", ["metrics", "dossiers", "awards", "notifier"])
def test_a_missing_campaign_file_is_one_line_naming_the_setting(
    service: str, tmp_path: Path, data_dir: str
) -> None:
    missing = tmp_path / "no-such-campaign.yaml"
    result = start(service, CAMPAIGN_FILE=str(missing), DATA_DIR=data_dir)
    assert result.returncode == 2
    line = the_error_line(result)
    assert line.startswith("configuration error: CAMPAIGN_FILE") and str(missing) in line, line


@pytest.mark.parametrize("content", ["units: [", "campaign_id: only-this"])
def test_an_invalid_campaign_file_is_one_line_naming_the_setting(
    content: str, tmp_path: Path, data_dir: str
) -> None:
    bad = tmp_path / "campaign.yaml"
    bad.write_text(content, encoding="utf-8")
    result = start("awards", CAMPAIGN_FILE=str(bad), DATA_DIR=data_dir)
    assert result.returncode == 2
    assert the_error_line(result).startswith("configuration error: CAMPAIGN_FILE")


def test_a_missing_or_invalid_catalogue_file_is_one_line(tmp_path: Path, data_dir: str) -> None:
    missing = start("metrics", CATALOGUE_FILE=str(tmp_path / "none.csv"), DATA_DIR=data_dir)
    assert missing.returncode == 2
    assert the_error_line(missing).startswith("configuration error: CATALOGUE_FILE")
    bad = tmp_path / "catalogue.csv"
    bad.write_text("not,a,catalogue\n", encoding="utf-8")
    invalid = start("metrics", CATALOGUE_FILE=str(bad), DATA_DIR=data_dir)
    assert invalid.returncode != 0
    assert "catalogue" in the_error_line(invalid).lower()


def test_output_cut_short_by_the_reader_is_not_an_error(data_dir: str) -> None:
    """`python -m campaign_dossiers asyncapi | head -1`: the reader leaves early."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes
    try:
        result = subprocess.run(
            [sys.executable, "-m", "campaign_dossiers", "asyncapi"], stdout=write_end,
            stderr=subprocess.PIPE, env=clean_env(GRPC_PORT="0", METRICS_PORT="0",
                                                  DATA_DIR=data_dir),
            cwd=ROOT, text=True, timeout=60,
        )
    finally:
        os.close(write_end)
    assert "BrokenPipe" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0



@pytest.mark.parametrize("service", ["dossiers", "awards", "notifier"])
def test_a_doubtful_access_token_stops_the_service_with_one_line(service: str,
                                                                 data_dir: str) -> None:
    result = start(service, ACCESS_TOKENS="short:office", DATA_DIR=data_dir)
    assert result.returncode == 2
    assert the_error_line(result) == (
        "configuration error: ACCESS_TOKENS / IDENTITY_SECRET: entry 1: token shorter than 16")
