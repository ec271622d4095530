"""Rebuild: empty the awards tables and replay the log into them — the decisions topic, the
candidates topic, the dossiers topic, then the indicators topic, each from its beginning to the
end it has now.

Nothing is published while replaying (those events are on the log already); positions are
stored as it goes, so the service, started afterwards, carries on from there. Standings,
history, candidates and decisions come out as the first run made them: they depend on the
figures' own times, never on the clock or on the order partitions are read in. Stop the
service before rebuilding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import SQLAlchemyError

from campaign_awards import store
from campaign_awards.app import (
    CANDIDATES_CONSUMER,
    DECISIONS_CONSUMER,
    DOSSIERS_CONSUMER,
    INDICATOR_BATCH,
    INDICATORS_CONSUMER,
    Awards,
    AwardsTopics,
    bootstrap,
)
from campaign_awards.council import DecisionMessage
from campaign_awards.projection import CandidateLog, CandidateMessage
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import DossierEventMessage, IndicatorUpdated
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.identity import Authenticator, StaticTokens
from campaign_kit.topic_reader import TopicReader, replay

E = TypeVar("E", bound=BaseModel)


@dataclass
class RebuildReport:
    decisions: int = 0
    candidate_events: int = 0
    dossier_events: int = 0
    indicator_events: int = 0


def _each(model: type[BaseModel], apply: Callable[[Connection, Any], None]
          ) -> Callable[[Connection, Sequence[ConsumerRecord[bytes, bytes]]], None]:
    def run(connection: Connection, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        for record in records:
            try:
                event = model.model_validate_json(record.value or b"")
            except ValidationError:
                continue  # the running service could not read it either
            apply(connection, event)
    return run


def _batches(model: type[E], apply: Callable[[Connection, Sequence[E]], None]
             ) -> Callable[[Connection, Sequence[ConsumerRecord[bytes, bytes]]], None]:
    def run(connection: Connection, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        events = []
        for record in records:
            try:
                events.append(model.model_validate_json(record.value or b""))
            except ValidationError:
                continue  # the running service could not read it either
        apply(connection, events)
    return run


class RebuildRefused(Exception):
    """The database holds events not yet on the log: emptying it would lose them."""


def _unpublished(db: Database) -> int:
    try:
        with db.begin() as connection:
            return int(connection.execute(select(func.count()).select_from(store.outbox).where(
                store.outbox.c.published_at.is_(None))).scalar_one())
    except SQLAlchemyError:
        return 0  # no tables yet: nothing to lose


async def rebuild(db: Database, campaign: Campaign, reader: TopicReader,
                  topics: AwardsTopics) -> RebuildReport:
    pending = _unpublished(db)
    if pending:
        # A decision the Council took may be among them: it exists nowhere else yet.
        raise RebuildRefused(
            f"{pending} sự kiện chưa được công bố lên Kafka; hãy chạy dịch vụ cho đến khi "
            "công bố xong rồi mới dựng lại")
    db.drop_schema()
    db.create_schema()
    awards: Awards = bootstrap(db, campaign, topics,
                               authenticator=Authenticator(StaticTokens({})),
                               registry=CollectorRegistry(), emit=False)
    metrics = ConsumerMetrics(CollectorRegistry())

    def tracked(name: str) -> TrackedConsumer:
        return TrackedConsumer(name, db, store.positions, metrics)

    report = RebuildReport()  # in the batches the live service takes
    report.decisions = await replay(reader, topics.decisions.name,
                                    tracked(DECISIONS_CONSUMER),
                                    _each(DecisionMessage, awards.decision_log.apply),
                                    INDICATOR_BATCH)
    report.candidate_events = await replay(reader, topics.candidates.name,
                                           tracked(CANDIDATES_CONSUMER),
                                           _each(CandidateMessage, CandidateLog().apply),
                                           INDICATOR_BATCH)
    report.dossier_events = await replay(reader, topics.dossiers.name,
                                         tracked(DOSSIERS_CONSUMER),
                                         _each(DossierEventMessage, awards.dossiers.apply),
                                         INDICATOR_BATCH)
    report.indicator_events = await replay(
        reader, topics.indicators.name, tracked(INDICATORS_CONSUMER),
        _batches(IndicatorUpdated, awards.projection.apply_batch), INDICATOR_BATCH)
    return report
