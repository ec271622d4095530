"""Composition root of the notifier service."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import CollectorRegistry

from campaign.notifier.v1 import notifier_pb2_grpc
from campaign_contracts import topics as t
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import NotificationFailed, NotificationSent, StandingUpdated
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.outbox import OutboxRelay
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.wiring import declare_publishers, subscribe_events
from campaign_notifier import SERVICE, store
from campaign_notifier.delivery import DeliveryWorker
from campaign_notifier.grpc_api import NotifierServicer
from campaign_notifier.mailer import SmtpMailer
from campaign_notifier.projection import NotificationProjection
from campaign_notifier.settings import NotifierSettings


def build(settings: NotifierSettings) -> ServiceRuntime:
    registry = CollectorRegistry()
    campaign = load_campaign(settings.campaign_file)
    standings = t.prefixed(t.STANDINGS, settings.topic_prefix)
    notifications = t.prefixed(t.NOTIFICATIONS, settings.topic_prefix)
    broker = make_broker(settings, SERVICE, registry)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    # One schema per topic in the AsyncAPI document; both outcomes travel on it.
    relay = OutboxRelay(db, store.outbox, declare_publishers(
        broker, {notifications.name: NotificationSent | NotificationFailed}, SERVICE  # type: ignore[dict-item]
    ))
    mailer = SmtpMailer(
        settings.smtp_host, settings.smtp_port, settings.smtp_timeout_s, settings.smtp_starttls,
        settings.smtp_username, settings.smtp_password,
    )
    worker = DeliveryWorker(
        db, mailer, campaign.notifications.sender, relay, notifications.name, registry,
        settings.delivery_max_attempts, timedelta(seconds=settings.delivery_retry_s),
    )
    tracked = TrackedConsumer(f"{SERVICE}.standings", db, store.positions,
                              ConsumerMetrics(registry))
    subscribe_events(
        broker, standings.name, StandingUpdated, tracked, settings.consumer_group or SERVICE,
        NotificationProjection(campaign).apply, relay, after=worker.deliver_due,
        description="Standings from the awards service",
    )
    return ServiceRuntime(
        name=SERVICE,
        title="Notifier service — thông báo cho đơn vị",
        description="Rules on standing events -> e-mail to units, with retries and a log.",
        settings=settings, broker=broker, db=db, registry=registry,
        topics=[standings, notifications],
        grpc_services=[(notifier_pb2_grpc.add_NotifierServiceServicer_to_server,
                        NotifierServicer(db), "campaign.notifier.v1.NotifierService")],
        relay=relay,
        background=[lambda: worker.run_retries(min(settings.delivery_retry_s, 5.0))],
    )
