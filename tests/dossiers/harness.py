"""The dossiers service wired in-process on a real database, with the dossiers topic played by
a list: the outbox relay "publishes" into it and each record goes straight through the tracked
consumer into the projection, so reads see a command at once. Tests over the real broker use
the service process instead (test_over_the_broker.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import select

from campaign_contracts.events import DossierEventMessage
from campaign_dossiers import store
from campaign_dossiers.app import Dossiers, bootstrap, certificate_template_of
from campaign_dossiers.auth import AccessTokens
from campaign_dossiers.blobs import LocalBlobStore
from campaign_dossiers.clock import FixedClock
from campaign_dossiers.domain.access import Principal
from campaign_dossiers.domain.commands import Command
from campaign_dossiers.domain.dossier import Dossier
from campaign_dossiers.projection import CONSUMER
from campaign_kit.db import Database
from campaign_kit.outbox import OutboxRelay
from tests.dossiers.builders import ACCESS_TOKENS, CAMPAIGN, day_before_deadline
from tests.support.records import kafka_record
from tests.support.services import fresh_database, tracked

TOPIC = "dossiers"
WRITE_SIDE = (store.dossier_events, store.nominations)
ALL_DOSSIER_TABLES = (*WRITE_SIDE, *store.READ_MODEL)


class Topic:
    """An in-memory stand-in for one partition of the dossiers topic."""

    def __init__(self) -> None:
        self.records: list[tuple[bytes | None, bytes]] = []


class Harness:
    def __init__(self, database_url: str, blob_dir: Path, *, topic: Topic | None = None,
                 max_document_bytes: int = 1_000_000, fresh: bool = True) -> None:
        self.db: Database = (fresh_database(database_url, store.metadata) if fresh
                             else Database(database_url, store.metadata))
        self.clock = FixedClock(day_before_deadline())
        self.blobs = LocalBlobStore(blob_dir)
        self.topic = topic or Topic()
        self.registry = CollectorRegistry()
        self.relay = OutboxRelay(self.db, store.outbox, self._publish)
        self.consumer = tracked(self.db, store.positions, CONSUMER)
        self.parts: Dossiers = bootstrap(
            self.db, CAMPAIGN, TOPIC, blobs=self.blobs, clock=self.clock,
            tokens=AccessTokens.parse(ACCESS_TOKENS, CAMPAIGN), registry=self.registry,
            max_document_bytes=max_document_bytes, after_command=self.relay.flush,
            certificate_template=certificate_template_of(CAMPAIGN, None),
        )

    async def _publish(self, topic: str, value: bytes, key: bytes | None) -> None:
        self.topic.records.append((key, value))
        self.consume(len(self.topic.records) - 1)

    def consume(self, offset: int) -> bool:
        key, value = self.topic.records[offset]
        record = kafka_record(value, offset, topic=TOPIC, key=key)
        message = DossierEventMessage.model_validate_json(value)
        projection = self.parts.projection
        return self.consumer.apply(record, lambda conn, _r: projection.apply(conn, message))

    def replay(self) -> None:
        """Read the whole topic from the beginning, as a rebuild does."""
        for offset in range(len(self.topic.records)):
            self.consume(offset)

    async def run(self, command: Command, who: Principal) -> Dossier:
        """A command through the bus, then the relay (as the API does after each command)."""
        dossier = self.parts.bus.handle(command, who)
        await self.relay.flush()
        return dossier

    def rows(self, *tables: object) -> dict[str, list[dict[str, object]]]:
        """Every row of the given tables, in key order, for comparisons."""
        chosen = tables or ALL_DOSSIER_TABLES
        found: dict[str, list[dict[str, object]]] = {}
        with self.db.begin() as connection:
            for table in store.metadata.sorted_tables:
                if table in chosen:
                    keys = list(table.primary_key.columns)
                    found[table.name] = [dict(r._mapping) for r in
                                         connection.execute(select(table).order_by(*keys))]
        return found

    def dispose(self) -> None:
        self.db.dispose()


def new_id() -> uuid.UUID:
    return uuid.uuid4()
