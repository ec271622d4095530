"""Composition root of the awards service."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from campaign.awards.v1 import awards_pb2_grpc
from campaign_awards import SERVICE, store
from campaign_awards.grpc_api import AwardsServicer
from campaign_awards.projection import StandingsProjection
from campaign_awards.settings import AwardsSettings
from campaign_contracts import topics as t
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import IndicatorUpdated, StandingUpdated
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.outbox import OutboxRelay
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.wiring import declare_publishers, subscribe_events


def build(settings: AwardsSettings) -> ServiceRuntime:
    registry = CollectorRegistry()
    campaign = load_campaign(settings.campaign_file)
    indicators = t.prefixed(t.INDICATORS, settings.topic_prefix)
    standings_topic = t.prefixed(t.STANDINGS, settings.topic_prefix)
    broker = make_broker(settings, SERVICE, registry)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    relay = OutboxRelay(db, store.outbox, declare_publishers(
        broker, {standings_topic.name: StandingUpdated}, SERVICE
    ))
    tracked = TrackedConsumer(f"{SERVICE}.indicators", db, store.positions,
                              ConsumerMetrics(registry))
    projection = StandingsProjection(campaign, standings_topic.name, registry)
    subscribe_events(
        broker, indicators.name, IndicatorUpdated, tracked, settings.consumer_group or SERVICE,
        projection.apply, relay, description="Indicator cells from the metrics service",
    )
    return ServiceRuntime(
        name=SERVICE,
        title="Awards service — xếp hạng và khen thưởng",
        description="Standings projected from indicator events; the Council's decisions.",
        settings=settings, broker=broker, db=db, registry=registry,
        topics=[indicators, standings_topic],
        grpc_services=[(awards_pb2_grpc.add_AwardsServiceServicer_to_server,
                        AwardsServicer(db, campaign), "campaign.awards.v1.AwardsService")],
        relay=relay,
    )
