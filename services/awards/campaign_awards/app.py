"""Composition root of the awards service: `bootstrap` wires the projections, the Council's
command handler and the API from their dependencies (tests pass their own); `build` adds the
real ones around it — settings, database, broker, outbox relay and subscriptions."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry

from campaign.awards.v1 import awards_pb2_grpc
from campaign_awards import SERVICE, store
from campaign_awards.council import Council, DecisionLog, DecisionMessage, DossierFollower
from campaign_awards.grpc_api import AwardsServicer
from campaign_awards.projection import StandingsProjection
from campaign_awards.settings import AwardsSettings
from campaign_awards.telemetry import AwardsTelemetry
from campaign_contracts import topics as t
from campaign_contracts.campaign_file import Campaign, load_campaign
from campaign_contracts.events import (
    AwardDecided,
    CandidateProposed,
    DossierEventMessage,
    IndicatorUpdated,
    StandingUpdated,
)
from campaign_kit.catch_up import CatchUp
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.identity import Authenticator, configured_authenticator
from campaign_kit.outbox import PipelinedOutboxRelay
from campaign_kit.runtime import ServiceRuntime, make_broker
from campaign_kit.wiring import (
    declare_pipelined_publishers,
    subscribe_event_batches,
    subscribe_events,
)

log = logging.getLogger(__name__)

INDICATORS_CONSUMER = f"{SERVICE}.indicators"
DOSSIERS_CONSUMER = f"{SERVICE}.dossier-events"
DECISIONS_CONSUMER = f"{SERVICE}.decisions"
CANDIDATES_CONSUMER = f"{SERVICE}.candidates"  # read by a rebuild only
# Indicator events applied per transaction: a period's standings are ranked once per batch, so
# a busy feed costs a ranking per batch rather than per event.
INDICATOR_BATCH = 500


@dataclass(frozen=True)
class AwardsTopics:
    indicators: t.Topic
    dossiers: t.Topic
    standings: t.Topic
    candidates: t.Topic
    decisions: t.Topic

    @classmethod
    def of(cls, prefix: str) -> AwardsTopics:
        return cls(*(t.prefixed(topic, prefix) for topic in (
            t.INDICATORS, t.DOSSIER_EVENTS, t.STANDINGS, t.CANDIDATES, t.AWARD_DECISIONS)))

    @property
    def all(self) -> list[t.Topic]:
        return [self.indicators, self.dossiers, self.standings, self.candidates, self.decisions]


@dataclass(frozen=True)
class Awards:
    """The wired parts of the service."""

    projection: StandingsProjection
    dossiers: DossierFollower
    decision_log: DecisionLog
    council: Council
    servicer: AwardsServicer
    telemetry: AwardsTelemetry


def bootstrap(
    db: Database, campaign: Campaign, topics: AwardsTopics, *, authenticator: Authenticator,
    registry: CollectorRegistry, emit: bool = True,
    after_command: Callable[[], Awaitable[object]] | None = None,
) -> Awards:
    telemetry = AwardsTelemetry(registry)
    projection = StandingsProjection(campaign, topics.standings.name,
                                     candidates_topic=topics.candidates.name,
                                     telemetry=telemetry, emit=emit)
    council = Council(db, campaign, topics.decisions.name, telemetry)
    servicer = AwardsServicer(db, campaign, council, authenticator, after_command)
    return Awards(projection, DossierFollower(), DecisionLog(telemetry), council, servicer,
                  telemetry)


def authenticator(settings: AwardsSettings, campaign: Campaign) -> Authenticator:
    """The configured callers, or exit(2) with one readable line (like any bad setting)."""
    found = configured_authenticator(settings, (u.code for u in campaign.units))
    if not len(found.static) and found.signer is None:
        log.warning("no callers configured: DecideAward and RevokeDecision are refused")
    return found


def build(settings: AwardsSettings) -> ServiceRuntime:
    registry = CollectorRegistry()
    campaign = load_campaign(settings.campaign_file)
    topics = AwardsTopics.of(settings.topic_prefix)
    broker = make_broker(settings, SERVICE, registry)
    db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
    # Pipelined: a batch of indicator events can change hundreds of standings, and one broker
    # round trip per StandingUpdated was most of what a batch cost.
    relay = PipelinedOutboxRelay(db, store.outbox, declare_pipelined_publishers(broker, {
        topics.standings.name: StandingUpdated, topics.candidates.name: CandidateProposed,
        topics.decisions.name: AwardDecided,
    }, SERVICE))
    awards = bootstrap(db, campaign, topics, authenticator=authenticator(settings, campaign),
                       registry=registry, after_command=relay.flush)
    group = settings.consumer_group or SERVICE
    metrics = ConsumerMetrics(registry)
    subscribe_event_batches(
        broker, topics.indicators.name, IndicatorUpdated,
        TrackedConsumer(INDICATORS_CONSUMER, db, store.positions, metrics), group,
        awards.projection.apply_batch, relay, max_records=INDICATOR_BATCH,
        description="Indicator cells: standings, history and candidates",
    )
    # Their own groups: each topic is followed independently of the others.
    subscribe_events(
        broker, topics.dossiers.name, DossierEventMessage,
        TrackedConsumer(DOSSIERS_CONSUMER, db, store.positions, metrics),
        f"{group}.dossier-events", awards.dossiers.apply, None,
        description="Nomination dossiers: which were accepted and forwarded to the Council",
    )
    subscribe_events(
        broker, topics.decisions.name, DecisionMessage,
        TrackedConsumer(DECISIONS_CONSUMER, db, store.positions, metrics),
        f"{group}.decisions", awards.decision_log.apply, None,
        description="The Council's decisions: the log the decisions table is rebuilt from",
    )
    return ServiceRuntime(
        name=SERVICE,
        title="Awards service — xếp hạng và khen thưởng",
        description="Standings for every period, their history and forecast, the candidates "
                    "the system proposes, and the Council's decisions.",
        settings=settings, broker=broker, db=db, registry=registry, topics=topics.all,
        grpc_services=[(awards_pb2_grpc.add_AwardsServiceServicer_to_server,
                        awards.servicer, "campaign.awards.v1.AwardsService")],
        relay=relay,
        input_catch_up=CatchUp(metrics, registry),
    )
