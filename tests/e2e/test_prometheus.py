"""A real Prometheus server (Debian's) scrapes the four services, and the alert rules that
ship in deploy/prometheus load."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from campaign_contracts.topics import PORTAL_RECORDS, prefixed
from devkit.infra import ROOT, PrometheusServer
from devkit.processes import ServiceProcess
from tests.support.kafka_io import producer
from tests.support.records import encode, portal_record

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("prometheus") is None,
                       reason="Debian's prometheus is not installed (scripts/test.sh installs it)"),
]


def test_prometheus_scrapes_every_service_and_sees_the_flow(
    services: dict[str, ServiceProcess], kafka_bootstrap: str, topic_prefix: str, tmp_path: Path
) -> None:
    targets = {name: process.metrics_port for name, process in services.items()}
    with PrometheusServer(tmp_path / "prometheus", targets) as prometheus:
        record = portal_record("QLVT-P1", paid=1)
        portal = producer(kafka_bootstrap)
        portal.send(prefixed(PORTAL_RECORDS, topic_prefix).name, key=b"QLVT-P1",
                    value=encode(record))
        portal.flush()
        portal.close()

        def k3_rate() -> list[Any]:
            query = '/api/v1/query?query=indicator_rate{indicator="K3",subject_code="QLVT"}'
            return list(prometheus.api(query)["data"]["result"])

        _eventually(lambda: prometheus.targets_up() == set(services), 60)
        _eventually(lambda: bool(k3_rate()), 60)
        assert float(k3_rate()[0]["value"][1]) == 1.0
        delivered = prometheus.api('/api/v1/query?query=projection_records_applied_total')
        consumers = {r["metric"]["consumer"] for r in delivered["data"]["result"]}
        assert {"awards.indicators", "dossiers.indicators", "notifier.standings"} <= consumers


def test_the_shipped_alert_rules_load() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool comes with Debian's prometheus")
    result = subprocess.run([promtool, "check", "rules", str(ROOT / "deploy/prometheus/rules.yml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def _eventually(condition: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError("Prometheus did not see it in time")
