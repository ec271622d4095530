"""Composition root of the dossiers service: `bootstrap` wires the command bus, the API and the
projection from their dependencies (tests pass fakes); `build` adds the real ones around it —
settings, database, blob directory, broker, outbox relay and subscriptions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import CollectorRegistry

from campaign.dossiers.v1 import dossiers_pb2_grpc
from campaign_contracts import topics as t
from campaign_contracts.campaign_file import SEED_CAMPAIGN, Campaign, load_campaign, seed_path
from campaign_contracts.events import DossierEventMessage, IndicatorUpdated
from campaign_dossiers import SERVICE, store
from campaign_dossiers.auth import AccessTokens
from campaign_dossiers.awards_view import (
    CandidateMessage,
    CandidatesProjection,
    DecisionMessage,
    DecisionsProjection,
)
from campaign_dossiers.blobs import BlobStore, LocalBlobStore
from campaign_dossiers.clock import Clock, SystemClock
from campaign_dossiers.drafting import Drafting
from campaign_dossiers.event_store import EventStore
from campaign_dossiers.figures import NomineeFiguresProjection
from campaign_dossiers.grpc_api import DossiersServicer
from campaign_dossiers.handlers import CommandBus, CommandTelemetry, Dependencies
from campaign_dossiers.projection import CONSUMER, DossierProjection, ProjectionTelemetry
from campaign_dossiers.settings import DossiersSettings
from campaign_kit.catch_up import CatchUp
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.identity import configured_authenticator
from campaign_kit.outbox import OutboxRelay
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.wiring import declare_publishers, subscribe_event_batches, subscribe_events

log = logging.getLogger(__name__)

# Indicator events applied per transaction: a figure per transaction cannot follow the metrics
# service at a province's peak.
INDICATOR_BATCH = 500


@dataclass(frozen=True)
class Dossiers:
    """The wired parts of the service."""

    bus: CommandBus
    servicer: DossiersServicer
    projection: DossierProjection
    candidates: CandidatesProjection
    decisions: DecisionsProjection


def bootstrap(
    db: Database, campaign: Campaign, dossier_topic: str, *, blobs: BlobStore, clock: Clock,
    tokens: AccessTokens, registry: CollectorRegistry, max_document_bytes: int,
    after_command: Callable[[], Awaitable[object]] | None = None,
    certificate_template: Path | None = None,
) -> Dossiers:
    events = EventStore()
    bus = CommandBus(db, campaign, Dependencies(events, blobs), clock, store.outbox,
                     dossier_topic, CommandTelemetry(registry))
    drafting = Drafting(db, campaign, clock, certificate_template)
    servicer = DossiersServicer(db, campaign, bus, tokens, blobs, clock, max_document_bytes,
                                after_command, drafting)
    return Dossiers(bus, servicer, DossierProjection(events, ProjectionTelemetry(registry)),
                    CandidatesProjection(campaign), DecisionsProjection(campaign))


def certificate_template_of(campaign: Campaign, campaign_file: Path | None) -> Path | None:
    """The certificate template named by the campaign file, in the campaign file's folder."""
    if campaign.documents is None or not campaign.documents.certificate_template:
        return None
    folder = Path(campaign_file).parent if campaign_file else seed_path(SEED_CAMPAIGN).parent
    return folder / campaign.documents.certificate_template


def access_tokens(settings: DossiersSettings, campaign: Campaign) -> AccessTokens:
    """The configured callers, or exit(2) with one readable line (like any bad setting)."""
    tokens = AccessTokens(configured_authenticator(settings, (u.code for u in campaign.units)))
    if not tokens:
        log.warning("no access tokens configured: every dossier call but figures is refused")
    return tokens


def build(settings: DossiersSettings) -> ServiceRuntime:
    registry = CollectorRegistry()
    campaign = load_campaign(settings.campaign_file)
    indicators = t.prefixed(t.INDICATORS, settings.topic_prefix)
    dossier_topic = t.prefixed(t.DOSSIER_EVENTS, settings.topic_prefix)
    broker = make_broker(settings, SERVICE, registry)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    relay = OutboxRelay(db, store.outbox, declare_publishers(
        broker, {dossier_topic.name: DossierEventMessage}, SERVICE
    ))
    dossiers = bootstrap(
        db, campaign, dossier_topic.name, blobs=LocalBlobStore(settings.blob_root),
        clock=SystemClock(), tokens=access_tokens(settings, campaign), registry=registry,
        max_document_bytes=settings.max_document_bytes, after_command=relay.flush,
        certificate_template=certificate_template_of(campaign, settings.campaign_file),
    )
    group = settings.consumer_group or SERVICE
    metrics = ConsumerMetrics(registry)
    subscribe_event_batches(
        broker, indicators.name, IndicatorUpdated,
        TrackedConsumer(f"{SERVICE}.indicators", db, store.positions, metrics), group,
        NomineeFiguresProjection(campaign).apply_batch, None, max_records=INDICATOR_BATCH,
        description="Indicator cells: nominees' figures for the Form 08 achievement report",
    )
    # Its own group: the read model follows the dossiers topic independently of indicators.
    subscribe_events(
        broker, dossier_topic.name, DossierEventMessage,
        TrackedConsumer(CONSUMER, db, store.positions, metrics), f"{group}.dossier-events",
        dossiers.projection.apply, None,
        description="Nomination dossier events: the read model, rebuilt from this topic alone",
    )
    # The awards service's facts the documents are drafted from: candidates and decisions.
    candidates = t.prefixed(t.CANDIDATES, settings.topic_prefix)
    decisions = t.prefixed(t.AWARD_DECISIONS, settings.topic_prefix)
    subscribe_events(
        broker, candidates.name, CandidateMessage,
        TrackedConsumer(f"{SERVICE}.candidates", db, store.positions, metrics),
        f"{group}.candidates", dossiers.candidates.apply, None,
        description="Candidates the awards service proposes: Form 08 is drafted for them",
    )
    subscribe_events(
        broker, decisions.name, DecisionMessage,
        TrackedConsumer(f"{SERVICE}.decisions", db, store.positions, metrics),
        f"{group}.decisions", dossiers.decisions.apply, None,
        description="The Council's decisions: the award decision and the certificates",
    )
    return ServiceRuntime(
        name=SERVICE,
        title="Dossiers service — hồ sơ đề nghị khen thưởng",
        description="Award nomination dossiers: documents, completeness, deadline, review by "
                    "the Office, forwarding to the Council; Form 08 drafts from measured figures.",
        settings=settings, broker=broker, db=db, registry=registry,
        topics=[indicators, dossier_topic, candidates, decisions],
        grpc_services=[(dossiers_pb2_grpc.add_DossiersServiceServicer_to_server,
                        dossiers.servicer, "campaign.dossiers.v1.DossiersService")],
        relay=relay,
        input_catch_up=CatchUp(metrics, registry),
    )
