"""Fixtures of the workspace's browser tests: the four services and the workspace as separate
processes over the real broker, people's accounts added through the CLI, and Debian's Chromium
driven by Playwright. Screenshots of the main pages are kept under var/test-artifacts/workspace.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from campaign_contracts.campaign_file import SEED_CAMPAIGN, seed_path
from devkit.infra import ROOT
from devkit.processes import ServiceProcess, WorkspaceProcess
from devkit.smtp import SmtpServer
from tests.support.kafka_io import create_all_topics

SERVICES = ("metrics", "awards", "dossiers", "notifier")
SECRET = "workspace-tests-identity-secret-0123456789"
ARTIFACTS = ROOT / "var" / "test-artifacts" / "workspace"
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "mật-khẩu-thử-nghiệm-2024"

ACCOUNTS = {  # username: (role, unit, name)
    "qlvt": ("unit", "QLVT", "Trần Văn Quang"),
    "kcht": ("unit", "KCHT", "Lê Thị Hà"),
    "vanphong": ("office", None, "Nông Thị Mai"),
    "hoidong": ("council", None, "Hoàng Minh Tuấn"),
    "vanhanh": ("operator", None, "Đinh Công Sơn"),
}


@dataclass
class System:
    services: dict[str, ServiceProcess]
    workspace: WorkspaceProcess
    prefix: str
    bootstrap: str


@pytest.fixture(scope="module")
def campaign_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed campaign with a deadline ahead: this machine's clock is past 2024 (the deadline
    itself is the dossiers service's own tests' business)."""
    data = yaml.safe_load(seed_path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
    data["dossier_deadline"] = "2099-12-31"
    path = tmp_path_factory.mktemp("campaign") / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def system(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory,
           campaign_file: Path) -> Iterator[System]:
    work = tmp_path_factory.mktemp("workspace-system")
    prefix = f"w{uuid.uuid4().hex[:10]}"
    create_all_topics(kafka_bootstrap, prefix)
    with SmtpServer() as smtp:
        common = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_PREFIX": prefix,
                  "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port), "LOG_LEVEL": "INFO",
                  "CAMPAIGN_FILE": str(campaign_file), "IDENTITY_SECRET": SECRET}
        services = {name: ServiceProcess(name, {**common, "DATA_DIR": str(work / name),
                                                "CONSUMER_GROUP": f"{prefix}-{name}"},
                                         work / f"{name}.log")
                    for name in SERVICES}
        workspace = WorkspaceProcess({
            "IDENTITY_SECRET": SECRET, "SESSION_SECRET": "workspace-tests-session-secret-0123456",
            "CAMPAIGN_FILE": str(campaign_file), "DATA_DIR": str(work / "workspace"),
            "BOARD_POLL_S": "0.5", "LOG_LEVEL": "INFO",
            **{f"{name.upper()}_ADDR": f"127.0.0.1:{p.grpc_port}" for name, p in services.items()},
            "METRICS_LINKS": ",".join(f"{name}=http://127.0.0.1:{p.metrics_port}/metrics"
                                      for name, p in services.items()),
        }, work / "workspace.log")
        for username, (role, unit, name) in ACCOUNTS.items():
            workspace.add_account(username, PASSWORD, role, unit, name)
        everything: list[ServiceProcess | WorkspaceProcess] = [*services.values(), workspace]
        started: list[ServiceProcess | WorkspaceProcess] = []
        try:
            for process in everything:
                process.start()
                started.append(process)
            for service in services.values():
                service.wait_serving()
            workspace.wait_serving()
            yield System(services, workspace, prefix, kafka_bootstrap)
        finally:
            for process in reversed(started):  # the workspace first, then what it calls
                process.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: scripts/test.sh installs it (apt chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
