"""Composition root of the dossiers service."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from campaign.dossiers.v1 import dossiers_pb2_grpc
from campaign_contracts import topics as t
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import IndicatorUpdated
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.wiring import subscribe_events
from campaign_dossiers import SERVICE, store
from campaign_dossiers.figures import NomineeFiguresProjection
from campaign_dossiers.grpc_api import DossiersServicer
from campaign_dossiers.settings import DossiersSettings


def build(settings: DossiersSettings) -> ServiceRuntime:
    registry = CollectorRegistry()
    campaign = load_campaign(settings.campaign_file)
    indicators = t.prefixed(t.INDICATORS, settings.topic_prefix)
    broker = make_broker(settings, SERVICE, registry)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    tracked = TrackedConsumer(f"{SERVICE}.indicators", db, store.positions,
                              ConsumerMetrics(registry))
    subscribe_events(
        broker, indicators.name, IndicatorUpdated, tracked, settings.consumer_group or SERVICE,
        NomineeFiguresProjection(campaign).apply, None,
        description="Indicator cells: nominees' figures for the Form 08 achievement report",
    )
    return ServiceRuntime(
        name=SERVICE,
        title="Dossiers service — hồ sơ đề nghị khen thưởng",
        description="Award nomination dossiers; nominees' measured figures for Form 08.",
        settings=settings, broker=broker, db=db, registry=registry,
        topics=[indicators, t.prefixed(t.DOSSIER_EVENTS, settings.topic_prefix)],
        grpc_services=[(dossiers_pb2_grpc.add_DossiersServiceServicer_to_server,
                        DossiersServicer(db), "campaign.dossiers.v1.DossiersService")],
    )
