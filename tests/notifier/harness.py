"""The notifier wired by its composition root with real channels — a real SMTP server
(aiosmtpd) and a real HTTP receiver that verifies signatures — a SQLite or PostgreSQL
database, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from prometheus_client import CollectorRegistry

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.envelope import Event
from campaign_kit.db import Database
from campaign_kit.identity import Authenticator, StaticTokens
from campaign_notifier import store
from campaign_notifier.app import Notifier, bootstrap
from campaign_notifier.channels import Channel
from campaign_notifier.channels.smtp import SmtpChannel
from campaign_notifier.channels.webhook import WebhookChannel
from campaign_notifier.clock import FixedClock
from campaign_notifier.domain.model import Forecast
from campaign_notifier.sender import RetryPolicy
from devkit.smtp import SmtpServer
from tests.notifier.receiver import WebhookInbox

SECRET = b"s" * 40
TOKENS = ("operator-token-0123456789:operator\n"
          "qlvt-token-0123456789ab:unit:QLVT\n"
          "office-token-0123456789:office")


@dataclass
class Harness:
    db: Database
    campaign: Campaign
    clock: FixedClock
    notifier: Notifier
    smtp: SmtpServer
    webhooks: WebhookInbox | None
    registry: CollectorRegistry

    def publish(self, *events: Event) -> None:
        for event in events:
            with self.db.begin() as connection:
                self.notifier.handler.apply(connection, event)

    async def at(self, moment: str | datetime) -> None:
        """Move the clock to a moment and let the notifier do what is due."""
        self.clock.set(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)
        await self.notifier.tick()

    async def advance(self, **delta: float) -> None:
        await self.at(self.clock.now() + timedelta(**delta))

    def mails(self) -> list[EmailMessage]:
        return [r.message for r in self.smtp.inbox.messages]

    def subjects(self) -> list[tuple[str, str]]:
        return [(str(m["To"]), str(m["Subject"])) for m in self.mails()]

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0


def build_harness(
    db_url: str, campaign: Campaign, smtp: SmtpServer, start: str,
    webhooks: WebhookInbox | None = None, forecasts: dict[str, list[Forecast]] | None = None,
    policy: RetryPolicy | None = None, channels: dict[str, Channel] | None = None,
) -> Harness:
    db = Database(db_url, store.metadata)
    db.drop_schema()
    db.create_schema()
    clock = FixedClock(datetime.fromisoformat(start))
    notifications = campaign.notifications
    found: dict[str, Channel] = channels or {
        "email": SmtpChannel("127.0.0.1", smtp.port, notifications.sender,
                             notifications.sender_name, clock=clock.now),
        "webhook": WebhookChannel(SECRET),  # signed at the real time: receivers check it
    }
    registry = CollectorRegistry()

    async def forecast(unit: str) -> list[Forecast] | None:
        return None if forecasts is None else forecasts.get(unit, [])

    notifier = bootstrap(
        db, campaign, channels=found, campaign_clock=clock, wall=clock,
        authenticator=Authenticator(StaticTokens.parse(TOKENS, [u.code for u in campaign.units])),
        registry=registry, notifications_topic="deliveries", relay=None,
        policy=policy or RetryPolicy(max_attempts=3, base_s=10, cap_s=60),
        forecasts=forecast,
    )
    return Harness(db, campaign, clock, notifier, smtp, webhooks, registry)


def texts(mails: Sequence[EmailMessage]) -> list[str]:
    out = []
    for mail in mails:
        body = mail.get_body(preferencelist=("plain",))
        assert body is not None
        out.append(body.get_content().replace("\r\n", "\n"))  # type: ignore[attr-defined]
    return out
