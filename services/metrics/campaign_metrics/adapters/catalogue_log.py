"""The catalogue on the log: versions are CatalogueLoaded events on the catalogue topic, which
the service consumes like any other input, so a rebuild applies them in the same order.

At start, before any portal record is applied, a catalogue must be in force: when the topic is
still empty the configured catalogue (the seed by default) is put on it; then the service waits
until the catalogue consumer has applied what the topic held when it started. A topic that holds
only unreadable messages (each dead-lettered) is treated as empty, and the status says so.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiokafka import AIOKafkaProducer

from campaign_kit.consumer import TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.outbox import Publish
from campaign_kit.settings import ServiceSettings
from campaign_kit.tls import kafka_admin_options
from campaign_kit.topic_reader import TopicReader
from campaign_metrics.adapters.announcer import IndicatorAnnouncer
from campaign_metrics.adapters.projection import MetricsProjection
from campaign_metrics.domain.catalogue import Catalogue

log = logging.getLogger(__name__)

CATALOGUE_KEY = b"catalogue"


async def publish_once(settings: ServiceSettings, topic: str, value: bytes, key: bytes) -> None:
    """Put one event on a topic and wait for the broker (for the command line and a rebuild),
    connected with the service's Kafka settings (SSL / SASL included)."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all",
                                enable_idempotence=True, **kafka_admin_options(settings))
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key,
                                     headers=[("content-type", b"application/json")])
    finally:
        await producer.stop()


class CatalogueBootstrap:
    def __init__(
        self, db: Database, projection: MetricsProjection, announcer: IndicatorAnnouncer,
        tracked: TrackedConsumer, topic: str, default: Catalogue, default_source: str,
        publish: Publish, reader: TopicReader, catch_up_timeout_s: float = 30.0,
        poll_s: float = 0.1, configured: bool = False,
    ) -> None:
        self.db = db
        self.projection = projection
        self.announcer = announcer
        self.tracked = tracked
        self.topic = topic
        self.default = default
        self.default_source = default_source
        self.publish = publish
        self.reader = reader
        self.catch_up_timeout_s = catch_up_timeout_s
        self.poll_s = poll_s
        self.configured = configured  # CATALOGUE_FILE was set, not the seed by default
        self.ready = asyncio.Event()
        self.note = ""
        """Set when the configured catalogue file is not the one in force."""

    async def wait_ready(self) -> None:
        await self.ready.wait()

    def _in_force(self) -> bool:
        with self.db.begin() as connection:
            return self.projection.definitions(connection) is not None

    async def run(self) -> None:
        with self.db.begin() as connection:
            if self.projection.ensure_campaign(connection):
                log.info("campaign file changed: every figure recomputed")
        # the catalogue topic has one partition: its end is how many versions it holds
        end = (await self.reader.end_offsets(self.topic)).get(0, 0)
        seeded = False
        if end == 0 and not self._in_force():
            end = await self._seed("catalogue topic was empty: put the configured catalogue on it")
            seeded = True
        started = time.monotonic()
        while True:
            position = self.tracked.stored_position(self.topic, 0)
            caught_up = end == 0 or (position is not None and position >= end - 1)
            in_force = self._in_force()
            if in_force and caught_up:
                break
            if caught_up and not in_force and not seeded:
                # Everything the topic held was unreadable (dead-lettered): without a catalogue
                # the service would wait for ever and count nothing, saying nothing.
                self.note = (f"the catalogue topic held no readable catalogue ({end} message(s) "
                             f"dead-lettered): {self.default_source} (version "
                             f"{self.default.version}) was put on it and is in force")
                end = await self._seed(self.note, logging.WARNING)
                seeded = True
            if in_force and time.monotonic() - started > self.catch_up_timeout_s:
                log.warning("catalogue consumer has not caught up; going on with the catalogue "
                            "in force", extra={"position": position, "end": end})
                break
            await asyncio.sleep(self.poll_s)
        with self.db.begin() as connection:
            self.announcer.show_all(connection)
            defs = self.projection.definitions(connection)
        if (self.configured and not self.note and defs is not None
                and defs.catalogue_version != self.default.version):
            # The file only seeds an empty topic; saying so beats silently ignoring it.
            self.note = (
                f"CATALOGUE_FILE {self.default_source} (version {self.default.version}) is not "
                f"the catalogue in force (version {defs.catalogue_version}); to put it in force: "
                f"python -m campaign_metrics catalogue load {self.default_source}")
            log.warning(self.note)
        self.ready.set()
        log.info("catalogue in force; applying portal records")

    async def _seed(self, why: str, level: int = logging.INFO) -> int:
        """Puts the configured catalogue on the topic; returns the topic's new end."""
        event = self.default.to_event(self.default_source)
        await self.publish(self.topic, event.to_bytes(), CATALOGUE_KEY)
        log.log(level, why, extra={"version": event.version, "source": self.default_source})
        return (await self.reader.end_offsets(self.topic)).get(0, 0)
