"""Composition root of the metrics service: wires settings, database, broker, projection,
announcements, publishers and the gRPC API into one runtime. `build_components` is the part
without a broker (the rebuild and the command line start from it); `build` the whole service.

The flow: portal records (inbound topic, in batches; or gRPC Ingest, which puts accepted
records on the inbound topic) -> snapshots and indicator cells, one transaction per batch ->
changed cells announced as IndicatorUpdated once per window, through the outbox. Catalogue
versions arrive on their own topic and recompute everything.
"""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass
from pathlib import Path

from grpc_health.v1 import health_pb2
from prometheus_client import CollectorRegistry

from campaign_contracts import topics as t
from campaign_contracts.campaign_file import SEED_CATALOGUE, Campaign, load_campaign, seed_path
from campaign_contracts.events import (
    CatalogueLoaded,
    IndicatorUpdated,
    PortalRecordAccepted,
    PortalRecordDeadLettered,
)
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.outbox import PipelinedOutboxRelay
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.topic_reader import TopicReader
from campaign_kit.wiring import declare_pipelined_publishers, subscribe_events, subscribe_raw_batch
from campaign_metrics import SERVICE
from campaign_metrics.adapters import tables as store
from campaign_metrics.adapters.announcer import Announcements, IndicatorAnnouncer
from campaign_metrics.adapters.catalogue_log import CatalogueBootstrap
from campaign_metrics.adapters.catch_up import CAUGHT_UP_HEALTH, CatchUp
from campaign_metrics.adapters.grpc_api import MetricsServicer, add_to_server
from campaign_metrics.adapters.inbound_batches import inbound_sender
from campaign_metrics.adapters.ingest import PortalIngest
from campaign_metrics.adapters.portal_auth import PortalTokenError, PortalTokens
from campaign_metrics.adapters.projection import MetricsProjection, OutputTopics
from campaign_metrics.adapters.telemetry import MetricsTelemetry
from campaign_metrics.domain.catalogue import Catalogue, load_catalogue
from campaign_metrics.domain.indicators import IndicatorConfigError, build_indicators
from campaign_metrics.settings import MetricsSettings

RECORDS_CONSUMER = f"{SERVICE}.portal-records"

log = logging.getLogger(__name__)
CATALOGUE_CONSUMER = f"{SERVICE}.catalogue"


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


def tune_garbage_collector(young: int = 10_000) -> None:
    """The service allocates many short-lived objects per record and almost no cycles; with
    the default thresholds Python's collector ran every few hundred records and took a quarter
    of the CPU. What was built at start is frozen out of its sight.

    A running service keeps a young generation of 10,000 objects, not more: the loop stops
    for each collection, and at 100,000 those stops held up every call in flight
    (GetIndicators under 200 callers from h2load: p99 ~135 ms, against 54-59 ms at 10,000),
    while applying records was as fast at either (30,100 and 29,200 rec/s on SQLite, within
    the runs' spread). A rebuild answers no calls and may take `young` larger."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(young, 50, 1000)


def build_components(settings: MetricsSettings) -> Components:
    registry = CollectorRegistry()
    telemetry = MetricsTelemetry(registry)
    campaign = load_campaign(settings.campaign_file)
    try:  # an unknown kind of indicator, or a bad setting of one, stops the start with one line
        build_indicators(campaign.indicators, Catalogue.of([]),
                         frozenset(u.code for u in campaign.units))
    except IndicatorConfigError as exc:
        raise SystemExit(f"configuration error: CAMPAIGN_FILE: {exc}") from None
    prefix = settings.topic_prefix
    topics = Topics(
        inbound=t.prefixed(t.PORTAL_RECORDS, prefix),
        dead_letter=t.prefixed(t.PORTAL_RECORDS_DEAD_LETTER, prefix),
        accepted=t.prefixed(t.ACCEPTED_RECORDS, prefix),
        indicators=t.prefixed(t.INDICATORS, prefix),
        catalogue=t.prefixed(t.CATALOGUE, prefix),
    )
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
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


FETCH_BYTES_PER_PARTITION = 16 * 1024 * 1024  # a whole batch per fetch, not 1 MiB slices
FETCH_MIN_BYTES = 512 * 1024


class MetricsService(ServiceRuntime):
    """The runtime plus the pieces tests and the benchmark reach for."""

    components: Components
    bootstrap: CatalogueBootstrap
    announcements: Announcements
    catch_up: CatchUp

    async def show_caught_up(self, caught_up: bool) -> None:
        """Caught up as a health status of its own, which scripts can wait on (the service's
        own status stays the readiness of broker and database)."""
        if self._health is not None:
            await self._health.set(CAUGHT_UP_HEALTH, health_pb2.HealthCheckResponse.SERVING
                                   if caught_up else health_pb2.HealthCheckResponse.NOT_SERVING)


class _Status:
    """GetStatus's view of the catch-up state and of the start's catalogue note."""

    def __init__(self, catch_up: CatchUp, bootstrap: CatalogueBootstrap) -> None:
        self.catch_up = catch_up
        self.bootstrap = bootstrap

    @property
    def is_caught_up(self) -> bool:
        return self.catch_up.is_caught_up

    @property
    def lag(self) -> int:
        return self.catch_up.lag

    @property
    def catalogue_file_note(self) -> str:
        return self.bootstrap.note

    async def refresh(self) -> None:
        await self.catch_up.refresh()


def _portal_tokens(settings: MetricsSettings) -> PortalTokens:
    try:
        return PortalTokens.parse(settings.portal_token_text())
    except (OSError, PortalTokenError) as exc:
        raise SystemExit(f"configuration error: PORTAL_TOKENS_FILE: {exc}") from None


def build(settings: MetricsSettings) -> MetricsService:
    parts = build_components(settings)
    topics = parts.topics
    broker = make_broker(settings, SERVICE, parts.registry)
    send = declare_pipelined_publishers(broker, {
        topics.dead_letter.name: PortalRecordDeadLettered,
        topics.accepted.name: PortalRecordAccepted,
        topics.indicators.name: IndicatorUpdated,
        topics.catalogue.name: CatalogueLoaded,
    }, SERVICE)
    # gRPC Ingest puts accepted records on the inbound topic in batches, as portals send them.
    inbound = inbound_sender(broker, topics.inbound.name, f"{SERVICE}.grpc-ingest")

    async def publish(topic: str, value: bytes, key: bytes | None) -> None:
        await (await send(topic, value, key))

    relay = PipelinedOutboxRelay(parts.db, store.outbox, send)
    clock = CatchUp(parts.telemetry, parts.records, settings.inbound_batch_max,
                    ready=lambda: bootstrap.ready.is_set())
    announcements = Announcements(
        parts.db, parts.announcer, relay, settings.indicator_flush_s,
        settings.indicator_catch_up_flush_s, behind=clock.behind,
    )
    default, default_source = parts.default_catalogue()
    bootstrap = CatalogueBootstrap(
        parts.db, parts.projection, parts.announcer, parts.catalogue, topics.catalogue.name,
        default, default_source, publish, TopicReader.of(settings),
        configured=settings.catalogue_file is not None,
    )

    async def before_batch() -> None:
        await bootstrap.wait_ready()
        await clock.start()

    clock.subscriber = subscribe_raw_batch(
        broker, topics.inbound.name, parts.records, parts.group, parts.projection.apply_batch,
        relay, max_records=settings.inbound_batch_max,
        batch_timeout_ms=settings.inbound_batch_wait_ms, before=before_batch, after=clock.stop,
        max_partition_fetch_bytes=FETCH_BYTES_PER_PARTITION,
        # Records that trickle in (a portal on gRPC Ingest, a busy afternoon) would otherwise
        # be applied a dozen at a time, and a batch's transaction costs the same for 10 records
        # as for 1,000: the broker holds a fetch until half a megabyte is there or
        # INBOUND_BATCH_WAIT_MS has passed.
        fetch_min_bytes=FETCH_MIN_BYTES, fetch_max_wait_ms=settings.inbound_batch_wait_ms,
        description="DVCQG dossier sync records (DongBoHoSoMC) as portals send them, key "
        "MaHoSo; applied in batches, one transaction each",
    )

    async def after_catalogue() -> None:
        await announcements.flush()

    subscribe_events(
        broker, topics.catalogue.name, CatalogueLoaded, parts.catalogue,
        f"{parts.group}.catalogue", parts.projection.apply_catalogue, relay,
        after=after_catalogue,
        description="Procedure catalogue versions; each one recomputes every figure",
    )
    ingest = PortalIngest(send, inbound, topics.dead_letter.name, parts.telemetry,
                          parts.projection.decoder, settings.ingest_limits())
    servicer = MetricsServicer(parts.db, parts.projection, ingest, _portal_tokens(settings),
                               publish, topics.catalogue.name, _Status(clock, bootstrap))
    service = MetricsService(
        name=SERVICE,
        title="Metrics service — chỉ số thi đua",
        description="Portal records in (Kafka, or gRPC Ingest); the indicators the campaign file "
        "declares (numerator, denominator, rate) per unit, officer and the Department, per "
        "campaign, month and ISO week, out.",
        settings=settings,
        broker=broker,
        db=parts.db,
        registry=parts.registry,
        topics=parts.topics.all,
        grpc_services=[(add_to_server, servicer, "campaign.metrics.v1.MetricsService")],
        relay=relay,
        background=[bootstrap.run, announcements.run_forever, clock.run_forever],
    )
    service.components = parts
    service.bootstrap = bootstrap
    service.catch_up = clock
    clock.on_change = service.show_caught_up
    service.announcements = announcements
    return service
