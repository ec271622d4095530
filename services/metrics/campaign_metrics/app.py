"""Composition root of the metrics service: wires settings, database, broker, projection,
publishers and the gRPC API into one runtime."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from campaign.metrics.v1 import metrics_pb2_grpc
from campaign_contracts import topics as t
from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path
from campaign_contracts.events import IndicatorUpdated, PortalRecordAccepted, PortalRecordDeadLettered
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.outbox import OutboxRelay
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.wiring import declare_publishers, subscribe_raw
from campaign_metrics import SERVICE, store
from campaign_metrics.catalogue import load_catalogue
from campaign_metrics.grpc_api import MetricsServicer
from campaign_metrics.projection import MetricsProjection, MetricsTelemetry, OutputTopics
from campaign_metrics.settings import MetricsSettings


def build(settings: MetricsSettings) -> ServiceRuntime:
    registry = CollectorRegistry()
    campaign = load_campaign(settings.campaign_file)
    catalogue = load_catalogue(settings.catalogue_file or seed_path(SEED_CATALOGUE))
    inbound = t.prefixed(t.PORTAL_RECORDS, settings.topic_prefix)
    out = OutputTopics(
        dead_letter=t.prefixed(t.PORTAL_RECORDS_DEAD_LETTER, settings.topic_prefix).name,
        accepted=t.prefixed(t.ACCEPTED_RECORDS, settings.topic_prefix).name,
        indicators=t.prefixed(t.INDICATORS, settings.topic_prefix).name,
    )
    broker = make_broker(settings, SERVICE, registry)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    publish = declare_publishers(broker, {
        out.dead_letter: PortalRecordDeadLettered,
        out.accepted: PortalRecordAccepted,
        out.indicators: IndicatorUpdated,
    }, SERVICE)
    relay = OutboxRelay(db, store.outbox, publish)
    tracked = TrackedConsumer(f"{SERVICE}.portal-records", db, store.positions,
                              ConsumerMetrics(registry))
    projection = MetricsProjection(campaign, catalogue, out, MetricsTelemetry(registry))
    subscribe_raw(
        broker, inbound.name, tracked, settings.consumer_group or SERVICE, projection.apply, relay,
        description="DVCQG dossier sync records (DongBoHoSoMC) as portals send them, key MaHoSo",
    )
    return ServiceRuntime(
        name=SERVICE,
        title="Metrics service — chỉ số thi đua",
        description="Portal records in; indicators K1–K3 (numerator, denominator, rate) out.",
        settings=settings,
        broker=broker,
        db=db,
        registry=registry,
        topics=[inbound, *(t.prefixed(x, settings.topic_prefix) for x in
                           (t.PORTAL_RECORDS_DEAD_LETTER, t.ACCEPTED_RECORDS, t.INDICATORS))],
        grpc_services=[(metrics_pb2_grpc.add_MetricsServiceServicer_to_server,
                        MetricsServicer(db, campaign), "campaign.metrics.v1.MetricsService")],
        relay=relay,
    )
