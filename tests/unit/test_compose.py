"""docker-compose.yml cannot run here (no Docker engine), so this keeps it consistent with the
code: each service's environment names real settings that validate, its gRPC port is published,
Prometheus scrapes its metrics port, and its database exists."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest
import yaml
from pydantic_settings import BaseSettings

from campaign_awards.settings import AwardsSettings
from campaign_dossiers.settings import DossiersSettings
from campaign_kit.settings import ServiceSettings
from campaign_metrics.settings import MetricsSettings
from campaign_notifier.settings import NotifierSettings
from devkit.infra import ROOT

SETTINGS: dict[str, type[ServiceSettings]] = {
    "metrics": MetricsSettings,
    "dossiers": DossiersSettings,
    "awards": AwardsSettings,
    "notifier": NotifierSettings,
}


def load(path: str) -> Any:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


COMPOSE = load("docker-compose.yml")
S = TypeVar("S", bound=BaseSettings)


def settings_from(env: dict[str, str], settings_cls: type[S],
                  monkeypatch: pytest.MonkeyPatch) -> S:
    """The settings a service reads from exactly this environment, once every variable is known."""
    known = {name.upper() for name in settings_cls.model_fields}
    assert set(env) <= known, f"unknown variables: {sorted(set(env) - known)}"
    for name in known:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings_cls()


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_environment_names_only_settings_that_validate(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    env: dict[str, str] = COMPOSE["services"][service]["environment"]
    settings = settings_from(env, SETTINGS[service], monkeypatch)
    assert settings.kafka_bootstrap_servers == "kafka:9092"
    assert settings.grpc_host == "0.0.0.0" and settings.metrics_host == "0.0.0.0"


@pytest.mark.parametrize("service", sorted(SETTINGS))
def test_ports_database_and_scraping_match(service: str) -> None:
    spec = COMPOSE["services"][service]
    env = spec["environment"]
    assert spec["command"] == [f"campaign_{service}"]
    assert f"{env['GRPC_PORT']}:{env['GRPC_PORT']}" in spec["ports"]
    assert env["DATABASE_URL"].endswith(f"@postgres:5432/{service}")
    init_sql = (ROOT / "deploy/postgres/init-databases.sql").read_text(encoding="utf-8")
    assert f"CREATE DATABASE {service};" in init_sql
    targets = [
        target
        for job in load("deploy/prometheus/prometheus.compose.yml")["scrape_configs"]
        for static in job["static_configs"]
        for target in static["targets"]
    ]
    assert f"{service}:{env['METRICS_PORT']}" in targets


def test_every_port_is_distinct_and_kafka_runs_kraft_without_auto_creation() -> None:
    ports = [
        p for spec in COMPOSE["services"].values() for p in spec.get("ports", [])
    ]
    assert len(ports) == len(set(ports))
    kafka = COMPOSE["services"]["kafka"]["environment"]
    assert kafka["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert "PLAINTEXT://kafka:9092" in kafka["KAFKA_ADVERTISED_LISTENERS"]


def test_the_dockerfile_builds_what_the_compose_file_runs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ENTRYPOINT ["python", "-m"]' in dockerfile
    assert "scripts/gen_proto.py" in dockerfile
    assert "USER campaign" in dockerfile
    for service in SETTINGS:
        assert (ROOT / "services" / service / f"campaign_{service}" / "__main__.py").exists()


def test_the_workspace_reaches_each_service_by_its_grpc_port_and_shares_the_identity_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from campaign_workspace.settings import SERVICES, WorkspaceSettings

    spec = COMPOSE["services"]["workspace"]
    settings = settings_from(spec["environment"], WorkspaceSettings, monkeypatch)
    assert spec["command"] == ["campaign_workspace"]
    assert f"{settings.http_port}:{settings.http_port}" in spec["ports"]
    assert (ROOT / "services/workspace/campaign_workspace/__main__.py").exists()
    for service in SERVICES:
        grpc_port = COMPOSE["services"][service]["environment"]["GRPC_PORT"]
        assert settings.address(service) == f"{service}:{grpc_port}"
    assert set(settings.metrics_link_map()) == set(SERVICES)
    assert "identity_secret" in spec["secrets"]
    assert "identity_secret" in COMPOSE["services"]["dossiers"]["secrets"]
