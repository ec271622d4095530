"""The parts of the metrics service that do not need a running broker, wired from settings:
database, projection, announcer, tracked consumers, topic names. The service (app.py), the
rebuild and the command line all start from here."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy.exc import DBAPIError

from campaign_contracts import topics as t
from campaign_contracts.campaign_file import SEED_CATALOGUE, Campaign, load_campaign, seed_path
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_metrics import SERVICE, store
from campaign_metrics.announcer import IndicatorAnnouncer
from campaign_metrics.catalogue import Catalogue, load_catalogue
from campaign_metrics.projection import MetricsProjection, OutputTopics
from campaign_metrics.settings import MetricsSettings
from campaign_metrics.telemetry import MetricsTelemetry

RECORDS_CONSUMER = f"{SERVICE}.portal-records"

log = logging.getLogger(__name__)
CATALOGUE_CONSUMER = f"{SERVICE}.catalogue"


class MetricsDatabase(Database):
    """Instances started together (one per partition) race to create the tables: the loser's
    CREATE TABLE fails on a table the winner just made. Trying again finds them all there."""

    def create_schema(self) -> None:
        for attempt in range(1, 6):
            try:
                super().create_schema()
                return
            except DBAPIError:
                if attempt == 5:
                    raise
                log.info("tables being created by another instance; trying again")
                time.sleep(0.2 * attempt)


@dataclass(frozen=True)
class Topics:
    inbound: t.Topic
    dead_letter: t.Topic
    accepted: t.Topic
    indicators: t.Topic
    catalogue: t.Topic

    @property
    def all(self) -> list[t.Topic]:
        return [self.inbound, self.dead_letter, self.accepted, self.indicators, self.catalogue]


@dataclass
class Components:
    settings: MetricsSettings
    campaign: Campaign
    registry: CollectorRegistry
    telemetry: MetricsTelemetry
    topics: Topics
    db: Database
    projection: MetricsProjection
    announcer: IndicatorAnnouncer
    records: TrackedConsumer
    catalogue: TrackedConsumer

    @property
    def group(self) -> str:
        return self.settings.consumer_group or SERVICE

    def default_catalogue(self) -> tuple[Catalogue, str]:
        """The catalogue put on an empty catalogue topic, and its name."""
        path = self.settings.catalogue_file or seed_path(SEED_CATALOGUE)
        return load_catalogue(path), Path(path).name


def build_components(settings: MetricsSettings) -> Components:
    registry = CollectorRegistry()
    telemetry = MetricsTelemetry(registry)
    campaign = load_campaign(settings.campaign_file)
    prefix = settings.topic_prefix
    topics = Topics(
        inbound=t.prefixed(t.PORTAL_RECORDS, prefix),
        dead_letter=t.prefixed(t.PORTAL_RECORDS_DEAD_LETTER, prefix),
        accepted=t.prefixed(t.ACCEPTED_RECORDS, prefix),
        indicators=t.prefixed(t.INDICATORS, prefix),
        catalogue=t.prefixed(t.CATALOGUE, prefix),
    )
    db = MetricsDatabase(settings.sqlalchemy_url(SERVICE), store.metadata)
    outputs = OutputTopics(dead_letter=topics.dead_letter.name, accepted=topics.accepted.name,
                           indicators=topics.indicators.name)
    consumer_metrics = ConsumerMetrics(registry)
    return Components(
        settings=settings, campaign=campaign, registry=registry, telemetry=telemetry,
        topics=topics, db=db,
        projection=MetricsProjection(campaign, outputs, telemetry,
                                     emit_accepted=settings.emit_accepted_records),
        announcer=IndicatorAnnouncer(campaign, topics.indicators.name, telemetry),
        records=TrackedConsumer(RECORDS_CONSUMER, db, store.positions, consumer_metrics),
        catalogue=TrackedConsumer(CATALOGUE_CONSUMER, db, store.positions, consumer_metrics),
    )
