"""The platform as it runs in production, under the fault suite's control: the four services as
processes on the suite's own broker and PostgreSQL (started here, so restarting them disturbs
nobody else), each service with its own database, and a real SMTP server for the notifier."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import create_engine, text

from campaign_contracts.topics import ALL_TOPICS, dead_letter_of, is_dead_letter, prefixed
from campaign_kit.topics_admin import ensure_topics
from devkit.infra import KafkaBroker, PostgresServer
from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer

SERVICES = ("metrics", "awards", "dossiers", "notifier")
# The notifier's campaign clock starts on a working morning of the campaign (a Tuesday, past
# the day's 08:00 evaluations and the Monday digest): it times quiet hours, so mails decided
# while the suite runs go out at once, whatever the hour where the suite runs.
CAMPAIGN_CLOCK_START = "2024-07-02T09:00:00+07:00"
# Work a service still has to do once its consumers are caught up (counted like an outbox).
PENDING_WORK = {"notifier": "SELECT count(*) FROM deliveries WHERE status = 'pending'"}


def all_topics(prefix: str) -> list[str]:
    topics = [prefixed(t, prefix) for t in ALL_TOPICS]
    letters = [dead_letter_of(t) for t in topics if not is_dead_letter(t.name)]
    return sorted({t.name for t in topics} | {t.name for t in letters})


@dataclass
class Infrastructure:
    """The suite's own broker and PostgreSQL; only these are ever stopped or restarted."""

    broker: KafkaBroker
    postgres: PostgresServer

    def restart_broker(self, down_s: float) -> float:
        began = time.monotonic()
        self.broker.stop()
        time.sleep(down_s)
        self.broker.start()
        return time.monotonic() - began

    def restart_postgres(self, down_s: float) -> float:
        began = time.monotonic()
        from devkit.infra import PG_SH, _run  # the same script the fixtures use

        _run(PG_SH, ["stop"], self.postgres.env)
        time.sleep(down_s)
        self.postgres.start()
        return time.monotonic() - began


@dataclass
class System:
    """One deployment of the four services on its own topics (prefix) and databases."""

    name: str
    infra: Infrastructure
    work: Path
    smtp: SmtpServer
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    database_urls: dict[str, str] = field(default_factory=dict)
    kills: dict[str, int] = field(default_factory=dict)
    exits: list[str] = field(default_factory=list)  # services that stopped by themselves

    @property
    def prefix(self) -> str:
        return self.name

    def start(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        ensure_topics(self.infra.broker.bootstrap,
                      [prefixed(t, self.prefix) for t in ALL_TOPICS])
        for service in SERVICES:
            url = self.infra.postgres.create_database(f"{self.name}_{service}")
            self.database_urls[service] = url
            env = {"KAFKA_BOOTSTRAP_SERVERS": self.infra.broker.bootstrap,
                   "TOPIC_PREFIX": self.prefix, "DATABASE_URL": url,
                   "DATA_DIR": str(self.work / service), "CONSUMER_GROUP": f"{self.name}-{service}",
                   "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp.port),
                   "DELIVERY_RETRY_S": "1", "RELAY_INTERVAL_S": "1", "LOG_LEVEL": "INFO",
                   "KAFKA_CONNECT_TIMEOUT_S": "120"}
            if service == "notifier":
                env["CLOCK_START"] = CAMPAIGN_CLOCK_START
            self.processes[service] = ServiceProcess(service, env,
                                                     self.work / f"{service}.log")
        for process in self.processes.values():
            process.start()
        for process in self.processes.values():
            process.wait_serving(180)

    def kill(self, service: str) -> None:
        """kill -9: no shutdown hook runs, whatever the service was doing."""
        process = self.processes[service].process
        assert process is not None
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        self.kills[service] = self.kills.get(service, 0) + 1

    def restart(self, service: str) -> None:
        self.processes[service].start()

    def revive_the_fallen(self) -> None:
        """Restart a service that exited without being killed, and note it in the report."""
        for name, service in self.processes.items():
            process = service.process
            if process is not None and process.poll() is not None:
                self.exits.append(f"{name} exited with {process.returncode}")
                service.start()

    def stop(self) -> None:
        for process in self.processes.values():
            if process.process is not None:
                process.stop()

    # --- progress -------------------------------------------------------------------------

    def end_offsets(self) -> dict[tuple[str, int], int]:
        consumer = KafkaConsumer(bootstrap_servers=self.infra.broker.bootstrap,
                                 request_timeout_ms=10_000)
        try:
            wanted = set(all_topics(self.prefix)) & consumer.topics()
            partitions = [TopicPartition(topic, p) for topic in wanted
                          for p in consumer.partitions_for_topic(topic) or ()]
            ends = consumer.end_offsets(partitions)
        finally:
            consumer.close()
        return {(tp.topic, tp.partition): offset for tp, offset in ends.items()}

    def positions(self) -> dict[tuple[str, str, str, int], int]:
        """Every consumer's stored position, from each service's database."""
        found: dict[tuple[str, str, str, int], int] = {}
        for service, url in self.database_urls.items():
            engine = create_engine(url)
            try:
                with engine.connect() as connection:
                    rows = connection.execute(text(
                        'SELECT consumer, topic, "partition", "offset" FROM consumed_positions'))
                    for consumer, topic, partition, offset in rows:
                        found[(service, consumer, topic, partition)] = offset
                    pending = connection.execute(text(
                        "SELECT count(*) FROM outbox WHERE published_at IS NULL")).scalar()
                    found[(service, "outbox", "unpublished", 0)] = int(pending or 0)
                    if service in PENDING_WORK:
                        work = connection.execute(text(PENDING_WORK[service])).scalar()
                        found[(service, "outbox", "pending work", 0)] = int(work or 0)
            except Exception:  # a table not created yet counts as "not there yet"
                found[(service, "unreachable", "", 0)] = -1
            finally:
                engine.dispose()
        return found

    def caught_up(self) -> bool:
        """Every consumer stands at the end of every partition it reads, nothing waits in an
        outbox, and no e-mail waits to be sent."""
        ends = self.end_offsets()
        positions = self.positions()
        read: dict[tuple[str, str], set[int]] = {}
        for (_service, consumer, topic, partition), offset in positions.items():
            if consumer == "unreachable" or (consumer == "outbox" and offset):
                return False
            if consumer == "outbox":
                continue
            if offset + 1 < ends.get((topic, partition), 0):
                return False
            read.setdefault((consumer, topic), set()).add(partition)
        for (_consumer, topic), partitions in read.items():
            for (end_topic, partition), end in ends.items():
                if end_topic == topic and end > 0 and partition not in partitions:
                    return False
        return True

    def settle(self, timeout_s: float, quiet_s: float = 8.0) -> float:
        """Wait until caught up and nothing moved for `quiet_s`; returns the seconds waited."""
        began = time.monotonic()
        deadline = began + timeout_s
        last: object = None
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            self.revive_the_fallen()
            try:
                now = (self.end_offsets(), self.positions())
                ready = self.caught_up()
            except Exception:
                now, ready = None, False
            if now != last:
                last, still_since = now, time.monotonic()
            elif ready and time.monotonic() - still_since >= quiet_s:
                return time.monotonic() - began
            time.sleep(1.0)
        raise TimeoutError(f"{self.name} did not settle in {timeout_s:.0f}s")
