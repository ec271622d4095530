"""Each service's command line: a bad setting stops it with one readable line, and its AsyncAPI
document is generated from its code — the committed copy must not be stale."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from devkit.infra import ROOT

SERVICES = ("metrics", "dossiers", "awards", "notifier")
SETTING_NAMES = ("KAFKA_BOOTSTRAP_SERVERS", "TOPIC_PREFIX", "DATABASE_URL", "GRPC_PORT",
                 "METRICS_PORT", "CAMPAIGN_FILE", "LOG_LEVEL", "DATA_DIR")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return {**env, **extra}


def run_service(service: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", f"campaign_{service}", *args], env=clean_env(**env), cwd=ROOT,
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("service", SERVICES)
def test_a_bad_setting_stops_the_service_with_one_readable_line(service: str) -> None:
    result = run_service(service, "asyncapi", GRPC_PORT="not-a-port", LOG_LEVEL="LOUD")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: ")
    assert "GRPC_PORT" in lines[0] and "LOG_LEVEL" in lines[0]


@pytest.mark.parametrize("service", SERVICES)
def test_the_committed_asyncapi_document_is_current(service: str) -> None:
    result = run_service(service, "asyncapi")
    assert result.returncode == 0, result.stderr
    committed = ROOT / "services" / service / "asyncapi.yaml"
    assert committed.exists(), f"run: python -m campaign_{service} asyncapi --output {committed}"
    assert result.stdout == committed.read_text(encoding="utf-8"), (
        f"stale: regenerate with python -m campaign_{service} asyncapi --output {committed}"
    )
