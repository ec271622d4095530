"""The Prometheus configuration loads as it ships (promtool, Debian's), every alert rule has a
`promtool test rules` case that passes, and the Grafana dashboard is valid and reads only
metrics some service exposes or deploy/prometheus/README.md promises."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from devkit import demo
from devkit.infra import ROOT, PrometheusServer, free_port
from devkit.processes import ServiceProcess

PROMETHEUS = ROOT / "deploy" / "prometheus"
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "campaign.json"
PROMQL_WORDS = {"sum", "max", "min", "avg", "count", "by", "without", "rate", "increase",
                "irate", "time", "and", "or", "unless", "on", "ignoring", "group_left",
                "group_right", "topk", "bottomk", "histogram_quantile", "offset", "bool",
                "delta", "deriv", "abs", "clamp_min", "clamp_max", "vector", "scalar"}


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    if tool is None:
        pytest.skip("promtool comes with Debian's prometheus (scripts/test.sh installs it)")
    return subprocess.run([tool, *args], cwd=PROMETHEUS, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("config", ["prometheus.yml", "prometheus.compose.yml"])
def test_the_configuration_loads_with_its_rules(config: str) -> None:
    result = promtool("check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout + result.stderr


def scraped(config: str) -> dict[str, str]:
    """service label -> target of a shipped configuration."""
    loaded = yaml.safe_load((PROMETHEUS / config).read_text(encoding="utf-8"))
    return {static["labels"]["service"]: target for job in loaded["scrape_configs"]
            for static in job["static_configs"] for target in static["targets"]}


def test_every_service_and_the_workspace_are_scraped_as_the_demo_runs_them() -> None:
    services = {name: ServiceProcess(name, {}, Path("unused.log"), grpc, metrics)
                for name, (grpc, metrics) in demo.PORTS.items()}
    demo_targets = demo.scrape_targets(services, demo.WORKSPACE_PORT)
    assert set(demo_targets) == {"metrics", "dossiers", "awards", "notifier", "workspace"}
    assert scraped("prometheus.yml") == {
        name: f"127.0.0.1:{port}" for name, port in demo_targets.items()}
    assert set(scraped("prometheus.compose.yml")) == set(demo_targets)
    assert scraped("prometheus.compose.yml")["workspace"] == "workspace:8080"


def test_every_alert_rule_has_a_passing_test_case() -> None:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text(encoding="utf-8"))
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    cases = yaml.safe_load((PROMETHEUS / "rules.test.yml").read_text(encoding="utf-8"))
    tested = {t["alertname"] for case in cases["tests"] for t in case["alert_rule_test"]
              if any(t.get("exp_alerts") or [])}
    assert alerts == tested, f"alerts without a firing case: {alerts - tested}"
    assert {"ServiceDown", "ConsumerLagHigh", "DeadLettersRising", "PortalSilent",
            "UnattributedDossiers", "NotificationsFailing", "ProjectionRetrying"} <= alerts
    result = promtool("test", "rules", "rules.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads."""
    text = re.sub(r'"[^"]*"', "", expr)           # label values
    text = re.sub(r"\{[^}]*\}", "", text)          # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)         # ranges
    text = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", text)  # grouping labels
    names = set(re.findall(r"\b[A-Za-z_:][A-Za-z0-9_:]*\b(?!\s*\()", text))
    return {n for n in names if n not in PROMQL_WORDS and not re.fullmatch(r"\d+[smhd]?", n)}


def exposed_metrics() -> set[str]:
    """Metric names declared in the code (prometheus_client adds `_total` to counters) and the
    names the README promises other services expose."""
    names = {"up"}
    declared = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-z_:]+)\"", re.S)
    for path in [*ROOT.glob("services/*/campaign_*/**/*.py"), *ROOT.glob("libs/**/*.py")]:
        for kind, name in declared.findall(path.read_text(encoding="utf-8")):
            names.add(name)
            if kind == "Counter":
                names.add(name if name.endswith("_total") else f"{name}_total")
            if kind in {"Histogram", "Summary"}:
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    readme = (PROMETHEUS / "README.md").read_text(encoding="utf-8")
    names |= set(re.findall(r"^\| `([a-z_:]+)` \|", readme, re.M))
    return names


def panels() -> list[dict[str, Any]]:
    board = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [p for p in board["panels"] if p.get("type") != "row"]


def test_the_dashboard_reads_only_metrics_that_exist() -> None:
    known = exposed_metrics()
    for panel in panels():
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            unknown = metric_names(target["expr"]) - known
            assert not unknown, f"{panel['title']}: {unknown}"


def test_the_alert_rules_read_only_metrics_that_exist() -> None:
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text(encoding="utf-8"))
    known = exposed_metrics()
    for group in rules["groups"]:
        for rule in group["rules"]:
            assert not metric_names(rule["expr"]) - known, rule["alert"]


def test_the_dashboard_shows_campaign_progress_and_service_health() -> None:
    read = {name for p in panels() for t in p["targets"] for name in metric_names(t["expr"])}
    assert {"indicator_rate", "standing_points"} <= read  # progress: K1-K3 and standings
    assert {"up", "inbound_consumer_lag", "consumer_lag_records", "consumer_caught_up",
            "dead_letters_total", "projection_failures_total"} <= read  # health
    rates = [t["expr"] for p in panels() for t in p["targets"] if "indicator_rate" in t["expr"]]
    assert {code for code in ("K1", "K2", "K3") if any(code in e for e in rates)} == {
        "K1", "K2", "K3"}


def test_metric_names_are_read_from_promql() -> None:
    assert metric_names('sum by (reason) (rate(portal_records_rejected_total{a="b"}[5m])) * 60'
                        ) == {"portal_records_rejected_total"}
    assert metric_names("time() - portal_last_record_timestamp_seconds > 2 * 3600") == {
        "portal_last_record_timestamp_seconds"}


def test_readme_lists_what_the_rules_read() -> None:
    readme = (PROMETHEUS / "README.md").read_text(encoding="utf-8")
    rules = yaml.safe_load((PROMETHEUS / "rules.yml").read_text(encoding="utf-8"))
    for group in rules["groups"]:
        for rule in group["rules"]:
            for name in metric_names(rule["expr"]):
                assert f"`{name}`" in readme, name




def test_the_demo_prometheus_evaluates_the_shipped_rules(tmp_path: Path) -> None:
    """As the demo starts it: Debian's Prometheus with rules.yml; a service that does not
    answer makes ServiceDown pending within seconds."""
    if shutil.which("prometheus") is None:
        pytest.skip("Debian's prometheus is not installed (scripts/test.sh installs it)")
    with PrometheusServer(tmp_path, {"awards": free_port()},
                          rules=PROMETHEUS / "rules.yml") as prometheus:
        deadline = time.monotonic() + 60
        pending: list[Any] = []
        while time.monotonic() < deadline and not pending:
            time.sleep(1)
            try:
                alerts = prometheus.api("/api/v1/alerts")["data"]["alerts"]
            except OSError:
                continue
            pending = [a for a in alerts if a["labels"]["alertname"] == "ServiceDown"]
        rules = prometheus.api("/api/v1/rules")["data"]["groups"][0]["rules"]
    assert len(rules) == 8
    assert pending and pending[0]["labels"]["service"] == "awards"
    assert pending[0]["state"] == "pending"
