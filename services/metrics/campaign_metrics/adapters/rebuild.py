"""Rebuild: drop the service's tables and replay its inputs from the beginning of the log.

The inbound topic (with what gRPC Ingest put on it) and the catalogue topic are the whole
truth, so replaying them into empty tables gives the same figures as the run that first read
them. The replay stops at the end each topic had when it started; positions are stored as it
goes, so the service, started afterwards, carries on from there and publishes one
IndicatorUpdated per cell with its rebuilt figure. Stop the service before rebuilding.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import ConsumerRecord
from pydantic import ValidationError
from sqlalchemy import Connection

from campaign_contracts.events import CatalogueLoaded
from campaign_kit.consumer import ApplyBatch
from campaign_kit.tls import kafka_admin_options
from campaign_kit.topic_reader import TopicReader, replay
from campaign_kit.topics_admin import ensure_topics
from campaign_metrics.adapters.catalogue_log import CATALOGUE_KEY, publish_once
from campaign_metrics.app import Components, build_components
from campaign_metrics.domain.catalogue import CatalogueError
from campaign_metrics.settings import MetricsSettings

log = logging.getLogger(__name__)

# Records per transaction while rebuilding: nobody reads the figures until it is done, and a
# batch's cells, snapshots lookup and commit cost about the same for 5,000 records as for 25,000.
REBUILD_BATCH = 25_000


@dataclass
class RebuildReport:
    records: int = 0
    catalogue_versions: int = 0
    announced: int = 0
    seconds: float = 0.0

    @property
    def records_per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def _catalogue_applier(parts: Components) -> ApplyBatch:
    def apply(connection: Connection, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        for record in records:
            try:
                event = CatalogueLoaded.model_validate_json(record.value or b"")
                parts.projection.apply_catalogue(connection, event)
            except (ValidationError, CatalogueError) as exc:
                log.warning("catalogue event skipped", extra={"offset": record.offset,
                                                              "error": str(exc)})
    return apply  # type: ignore[return-value]


async def rebuild(
    settings: MetricsSettings, *, replay_log: bool = True,
    progress: Callable[[int], None] | None = None,
) -> RebuildReport:
    started = time.perf_counter()
    parts = build_components(settings)
    report = RebuildReport()
    try:
        parts.db.drop_schema()
        parts.db.create_schema()
        if not replay_log:
            return report
        bootstrap = settings.kafka_bootstrap_servers
        if settings.create_topics:
            ensure_topics(bootstrap, parts.topics.all, **kafka_admin_options(settings))
        reader = TopicReader.of(settings)
        catalogue_topic = parts.topics.catalogue.name
        if (await reader.end_offsets(catalogue_topic)).get(0, 0) == 0:
            default, source = parts.default_catalogue()
            await publish_once(settings, catalogue_topic, default.to_event(source).to_bytes(),
                               CATALOGUE_KEY)
        report.catalogue_versions = await replay(
            reader, catalogue_topic, parts.catalogue, _catalogue_applier(parts), 100
        )
        report.records = await replay(
            reader, parts.topics.inbound.name, parts.records, parts.projection.apply_batch,
            max(settings.inbound_batch_max, REBUILD_BATCH), progress,
        )
        with parts.db.begin() as connection:
            report.announced = parts.announcer.announce(connection)
    finally:
        parts.db.dispose()
    report.seconds = time.perf_counter() - started
    return report
