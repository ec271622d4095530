"""Composition root of the notifier service: `bootstrap` wires the rules, facts, scheduler,
sender and API from their dependencies (tests pass fakes and real channels); `build` adds the
real ones around it — settings, database, clocks, SMTP and webhook channels, broker, outbox
relay and the subscriptions."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry
from pydantic import RootModel
from sqlalchemy import Connection

from campaign.notifier.v1 import notifier_pb2_grpc
from campaign_contracts import topics as t
from campaign_contracts.campaign_file import Campaign, load_campaign
from campaign_contracts.events import (
    CandidateEvent,
    DecisionEvent,
    DossierEventMessage,
    IndicatorUpdated,
    NotificationFailed,
    NotificationSent,
    PortalRecordAccepted,
    StandingUpdated,
)
from campaign_kit.catch_up import CatchUp
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.identity import Authenticator, configured_authenticator
from campaign_kit.outbox import OutboxRelay
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.wiring import declare_publishers, subscribe_event_batches
from campaign_notifier import SERVICE, store
from campaign_notifier.channels import Channel
from campaign_notifier.channels.smtp import SmtpChannel
from campaign_notifier.channels.webhook import WebhookChannel
from campaign_notifier.clock import Clock, ReplayClock, SystemClock, UtcClock
from campaign_notifier.dispatch import Dispatcher
from campaign_notifier.domain.rules import build_rules
from campaign_notifier.engine import EventHandler, ForecastSource, Scheduler
from campaign_notifier.forecast import AwardsForecasts
from campaign_notifier.grpc_api import NotifierServicer
from campaign_notifier.render import Renderer
from campaign_notifier.sender import DeliveryMetrics, DeliverySender, RetryPolicy
from campaign_notifier.settings import NotifierSettings

log = logging.getLogger(__name__)


class CandidateMessage(RootModel[CandidateEvent]):
    """A candidate proposed or withdrawn, as the candidates topic carries it."""


class DecisionMessage(RootModel[DecisionEvent]):
    """An award decided or revoked, as the decisions topic carries it."""


@dataclass(frozen=True)
class Notifier:
    """The wired parts of the service."""

    handler: EventHandler
    scheduler: Scheduler
    sender: DeliverySender
    servicer: NotifierServicer

    async def flush_deliveries(self) -> None:
        await self.sender.flush()

    async def tick(self) -> None:
        """Run what the schedule says is due, then send what is due."""
        await self.scheduler.tick()
        await self.sender.flush()

    async def run(self, every_s: float) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("notifier tick failed; next one retries")
            await asyncio.sleep(every_s)


def bootstrap(
    db: Database, campaign: Campaign, *, channels: Mapping[str, Channel], campaign_clock: Clock,
    wall: Clock, authenticator: Authenticator, registry: CollectorRegistry,
    notifications_topic: str, relay: OutboxRelay | None, policy: RetryPolicy,
    forecasts: ForecastSource | None = None,
) -> Notifier:
    campaign_clock, wall = UtcClock(campaign_clock), UtcClock(wall)
    rules = build_rules(campaign)
    dispatcher = Dispatcher(campaign, Renderer(campaign))
    sender = DeliverySender(db, campaign, channels, relay, notifications_topic,
                            DeliveryMetrics(registry), wall, campaign_clock, policy)
    return Notifier(
        handler=EventHandler(campaign, rules, dispatcher, campaign_clock, wall),
        scheduler=Scheduler(db, campaign, rules, dispatcher, campaign_clock, wall, forecasts),
        sender=sender,
        servicer=NotifierServicer(db, campaign, authenticator, wall, sender.flush),
    )


def _fail(setting: str, problem: object) -> None:
    print(f"configuration error: {setting}: {problem}", file=sys.stderr)
    raise SystemExit(2)


def authenticator(settings: NotifierSettings, campaign: Campaign) -> Authenticator:
    return configured_authenticator(settings, (u.code for u in campaign.units))


def channels(settings: NotifierSettings, campaign: Campaign) -> dict[str, Channel]:
    notifications = campaign.notifications
    found: dict[str, Channel] = {"email": SmtpChannel(
        settings.smtp_host, settings.smtp_port, notifications.sender, notifications.sender_name,
        settings.security, settings.smtp_username,
        settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        settings.smtp_timeout_s, settings.smtp_verify_tls, time_zone=campaign.tz,
    )}
    secret = settings.webhook_secret.get_secret_value().encode("utf-8")
    if any(u.webhook_url for u in campaign.units) and len(secret) < 32:
        _fail("WEBHOOK_SECRET", "units have webhooks: a secret of 32+ bytes is needed")
    if secret:
        found["webhook"] = WebhookChannel(secret, settings.webhook_timeout_s)
    return found


# Input events applied per transaction (each still judged by the rules on its own, in order):
# a portal record or a figure per transaction cannot follow a province's feed at its peak.
EVENT_BATCH = 500


def each(apply: Callable[[Connection, Any], None], unwrap: bool
         ) -> Callable[[Connection, Sequence[Any]], None]:
    """Apply a batch's events one after another in its transaction (`unwrap`: the topic's
    messages wrap one of several event types)."""
    def apply_all(connection: Connection, events: Sequence[Any]) -> None:
        for event in events:
            apply(connection, event.root if unwrap else event)
    return apply_all


def build(settings: NotifierSettings) -> ServiceRuntime:
    registry = CollectorRegistry()
    campaign = load_campaign(settings.campaign_file)
    prefix = settings.topic_prefix
    inputs = {name: t.prefixed(topic, prefix) for name, topic in (
        ("indicators", t.INDICATORS), ("standings", t.STANDINGS), ("candidates", t.CANDIDATES),
        ("decisions", t.AWARD_DECISIONS), ("dossiers", t.DOSSIER_EVENTS),
        ("records", t.ACCEPTED_RECORDS))}
    notifications = t.prefixed(t.NOTIFICATIONS, prefix)
    broker = make_broker(settings, SERVICE, registry)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    # One schema per topic in the AsyncAPI document; both outcomes travel on it.
    relay = OutboxRelay(db, store.outbox, declare_publishers(
        broker, {notifications.name: NotificationSent | NotificationFailed}, SERVICE  # type: ignore[dict-item]
    ))
    wall = SystemClock()
    campaign_clock: Clock = wall
    if settings.clock_start is not None:
        db.create_schema()  # the replay clock keeps its anchor in the database
        campaign_clock = ReplayClock(db, settings.clock_start, settings.clock_speed, wall)
    forecasts = None
    if settings.awards_grpc_target:
        forecasts = AwardsForecasts(settings.awards_grpc_target,
                                    settings.awards_token.get_secret_value())
    notifier = bootstrap(
        db, campaign, channels=channels(settings, campaign), campaign_clock=campaign_clock,
        wall=wall, authenticator=authenticator(settings, campaign), registry=registry,
        notifications_topic=notifications.name, relay=relay,
        policy=RetryPolicy(settings.delivery_max_attempts, settings.delivery_retry_s,
                           settings.delivery_retry_cap_s),
        forecasts=forecasts,
    )
    group = settings.consumer_group or SERVICE
    metrics = ConsumerMetrics(registry)
    apply = notifier.handler.apply
    for name, model, description, unwrap in (
        ("indicators", IndicatorUpdated, "Unit figures: digests, settled targets, at-risk",
         False),
        ("standings", StandingUpdated, "Ranks and points for digests", False),
        ("candidates", CandidateMessage, "Proposed nominees: deadline reminders", True),
        ("decisions", DecisionMessage, "The Council's decisions: award decided", True),
        ("dossiers", DossierEventMessage, "Nomination dossiers: received, returned, accepted",
         True),
        ("records", PortalRecordAccepted, "Accepted portal records: silent sources", False),
    ):
        subscribe_event_batches(
            broker, inputs[name].name, model,  # type: ignore[type-var]
            TrackedConsumer(f"{SERVICE}.{name}", db, store.positions, metrics),
            f"{group}.{name}" if name != "standings" else group, each(apply, unwrap), relay,
            max_records=EVENT_BATCH, after=notifier.flush_deliveries, description=description,
        )
    return ServiceRuntime(
        name=SERVICE,
        title="Notifier service — thông báo cho đơn vị",
        description="Notification rules on campaign events and schedules -> e-mail and signed "
                    "webhooks to units and operators, exactly once, with a delivery log.",
        settings=settings, broker=broker, db=db, registry=registry,
        topics=[*inputs.values(), notifications],
        grpc_services=[(notifier_pb2_grpc.add_NotifierServiceServicer_to_server,
                        notifier.servicer, "campaign.notifier.v1.NotifierService")],
        relay=relay,
        input_catch_up=CatchUp(metrics, registry),
        background=[lambda: notifier.run(settings.delivery_poll_s)],
    )
