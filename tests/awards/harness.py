"""The awards service wired in-process on a real database; the topics are played by lists: the
outbox relay "publishes" into them and events are fed to the projections through tracked
consumers, as the broker would deliver them. Tests over the real broker use the processes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry
from pydantic import BaseModel
from sqlalchemy import Connection, select

from campaign_awards import store
from campaign_awards.app import (
    CANDIDATES_CONSUMER,
    DECISIONS_CONSUMER,
    DOSSIERS_CONSUMER,
    INDICATORS_CONSUMER,
    Awards,
    AwardsTopics,
    bootstrap,
)
from campaign_awards.council import DecisionMessage
from campaign_awards.projection import CandidateLog, CandidateMessage
from campaign_contracts.envelope import Event
from campaign_contracts.events import DossierEventMessage, IndicatorUpdated
from campaign_kit.consumer import TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.identity import Authenticator, IdentitySigner, StaticTokens
from campaign_kit.outbox import OutboxRelay
from tests.awards.builders import CAMPAIGN
from tests.support.records import kafka_record
from tests.support.services import fresh_database, tracked

COUNCIL_TOKEN = "council-token-0123456789"
OFFICE_TOKEN = "office-token-0123456789"
ACCESS_TOKENS = f"{COUNCIL_TOKEN}:council,{OFFICE_TOKEN}:office"
TOPICS = AwardsTopics.of("")
SIGNER = IdentitySigner(b"the-workspace-secret-of-32-bytes-or-more")


def authenticator() -> Authenticator:
    return Authenticator(StaticTokens.parse(ACCESS_TOKENS, (u.code for u in CAMPAIGN.units)),
                         SIGNER)


class Harness:
    def __init__(self, database_url: str, *, fresh: bool = True, emit: bool = True) -> None:
        self.db: Database = (fresh_database(database_url, store.metadata) if fresh
                             else Database(database_url, store.metadata))
        self.registry = CollectorRegistry()
        self.published: dict[str, list[bytes]] = {}
        self.relay = OutboxRelay(self.db, store.outbox, self._publish)
        self.parts: Awards = bootstrap(self.db, CAMPAIGN, TOPICS, authenticator=authenticator(),
                                       registry=self.registry, emit=emit,
                                       after_command=self.relay.flush)
        self.offsets: dict[str, int] = {}
        self.consumers = {name: tracked(self.db, store.positions, name) for name in
                          (INDICATORS_CONSUMER, DOSSIERS_CONSUMER, DECISIONS_CONSUMER,
                           CANDIDATES_CONSUMER)}

    async def _publish(self, topic: str, value: bytes, key: bytes | None) -> None:
        self.published.setdefault(topic, []).append(value)

    def _feed(self, consumer: TrackedConsumer, topic: str, value: bytes,
              apply: Callable[[Connection, Any], None], event: BaseModel) -> bool:
        offset = self.offsets.get(topic, -1) + 1
        self.offsets[topic] = offset
        record = kafka_record(value, offset, topic=topic)
        return consumer.apply(record, lambda conn, _r: apply(conn, event))

    def indicator(self, event: IndicatorUpdated) -> bool:
        return self._feed(self.consumers[INDICATORS_CONSUMER], TOPICS.indicators.name,
                          event.to_bytes(), self.parts.projection.apply, event)

    def indicators(self, events: list[IndicatorUpdated], *, again: bool = False) -> int:
        """One delivered batch, as the service's batch subscriber applies it; `again`
        redelivers the last batch at its own offsets. Returns the events that were new."""
        topic = TOPICS.indicators.name
        first = self.offsets.get(topic, -1) + 1 - (len(events) if again else 0)
        records = [kafka_record(e.to_bytes(), first + i, topic=topic)
                   for i, e in enumerate(events)]
        self.offsets[topic] = first + len(events) - 1
        by_offset = {r.offset: e for r, e in zip(records, events, strict=True)}
        fresh = self.consumers[INDICATORS_CONSUMER].apply_batch(
            records, lambda conn, new: self.parts.projection.apply_batch(
                conn, [by_offset[r.offset] for r in new]))
        return len(fresh)

    def dossier(self, event: Event) -> bool:
        message = DossierEventMessage.model_validate_json(event.to_bytes())
        return self._feed(self.consumers[DOSSIERS_CONSUMER], TOPICS.dossiers.name,
                          event.to_bytes(), self.parts.dossiers.apply, message)

    def decision(self, value: bytes) -> bool:
        message = DecisionMessage.model_validate_json(value)
        return self._feed(self.consumers[DECISIONS_CONSUMER], TOPICS.decisions.name, value,
                          self.parts.decision_log.apply, message)

    def candidate(self, value: bytes) -> bool:
        message = CandidateMessage.model_validate_json(value)
        return self._feed(self.consumers[CANDIDATES_CONSUMER], TOPICS.candidates.name, value,
                          CandidateLog().apply, message)

    def outbox(self, topic: str) -> list[dict[str, Any]]:
        with self.db.begin() as connection:
            rows = connection.execute(select(store.outbox.c.topic, store.outbox.c.payload)
                                      .order_by(store.outbox.c.id)).all()
        return [json.loads(r.payload) for r in rows if r.topic == topic]
