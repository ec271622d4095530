"""Fixtures of the notifier's tests: a real SMTP server and a real webhook receiver."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from devkit.smtp import SmtpServer
from tests.notifier.harness import SECRET
from tests.notifier.receiver import WebhookInbox, webhook_receiver

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "notifier-mail"


@pytest.fixture
def smtp(request: pytest.FixtureRequest) -> Iterator[SmtpServer]:
    """Keeps every message as an .eml file under var/test-artifacts, to be read by people."""
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    with SmtpServer(mail_dir=folder) as server:
        yield server


@pytest.fixture
def webhooks() -> Iterator[tuple[str, WebhookInbox]]:
    with webhook_receiver(SECRET) as found:
        yield found
