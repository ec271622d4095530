"""The fault scenario and its report: while a feed streams in, kill -9 each service at random
points, restart the broker and PostgreSQL; then replay the same log into empty databases and
compare every service's read model, the e-mails sent, and the dead letters."""

from __future__ import annotations

import os
import platform
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import DossierEventBase
from campaign_contracts.topics import (
    ALL_TOPICS,
    CATALOGUE,
    DOSSIER_EVENTS,
    PORTAL_RECORDS,
    dead_letter_of,
    prefixed,
)
from campaign_kit.topics_admin import ensure_topics
from campaign_notifier.channels.smtp import IDEMPOTENCY_HEADER
from campaign_notifier.dispatch import idempotency_key
from campaign_notifier.domain.rules.dossier_status import DossierStatus
from devkit.infra import KafkaBroker, PostgresServer, free_port, free_port_pair
from devkit.smtp import SmtpServer
from tests.faults.inputs import (
    Message,
    dossier_events,
    dossier_messages,
    internal_injections,
    mailed,
    portal_feed,
)
from tests.faults.readmodels import READERS, Difference, compare, dump_database, row_counts
from tests.faults.system import SERVICES, Infrastructure, System


@dataclass(frozen=True)
class Options:
    records: int = 60_000
    kills: int = 10  # per service
    seed: int = 2024
    rate: float | None = None  # records/s; default: spread the feed over the chaos
    work: Path = Path("var/faults")
    broker_down_s: float = 5.0
    postgres_down_s: float = 5.0
    settle_timeout_s: float = 900.0


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.lines.append(line)
        print(line, flush=True)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.problems

    def failures_besides(self, services: set[str]) -> list[str]:
        """What failed in the services not named (each problem starts with its service)."""
        found = [f"{d.service}.{d.table} differs" for d in self.differences
                 if d.service not in services]
        return found + [p for p in self.problems if p.split(":")[0] not in services]


def _producer(bootstrap: str) -> KafkaProducer:
    # One in flight: order within a partition survives retries across a broker restart.
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5,
                         max_in_flight_requests_per_connection=1, retries=1_000_000,
                         request_timeout_ms=15_000, max_request_size=1_048_000)


def _stream(bootstrap: str, topic: str, feed: list[Message], rate: float,
            done: threading.Event, errors: list[str]) -> None:
    producer = _producer(bootstrap)
    began = time.monotonic()
    try:
        for n, message in enumerate(feed):
            producer.send(topic, key=message.key, value=message.value)
            ahead = n / rate - (time.monotonic() - began)
            if ahead > 0:
                time.sleep(ahead)
        producer.flush(timeout=300)
    except Exception as exc:  # reported, not raised: the comparison uses what reached the log
        errors.append(f"feed: {type(exc).__name__}: {exc}")
    finally:
        producer.close(timeout=30)
        done.set()


def _send(bootstrap: str, topic: str, messages: list[Message]) -> None:
    producer = _producer(bootstrap)
    for message in messages:
        producer.send(topic, key=message.key, value=message.value)
    producer.flush(timeout=120)
    producer.close()


def _inject(bootstrap: str, prefix: str, *, before_start: bool) -> int:
    """The injections on internal topics. Before the services start: all but the catalogue's,
    so that what services publish on those topics comes after them in both runs (the v1
    standing is overtaken by awards' own in both). The catalogue's once they run: the metrics
    service seeds its catalogue only on an empty catalogue topic."""
    producer = _producer(bootstrap)
    sent = 0
    for topic, message in internal_injections():
        if (topic == CATALOGUE) != before_start:
            producer.send(prefixed(topic, prefix).name, key=message.key, value=message.value)
            sent += 1
    producer.flush(timeout=120)
    producer.close()
    return sent


def _copy_topic(bootstrap: str, source: str, target: str) -> int:
    """The same records in the same partitions, order and timestamps: the log the faulty run
    read (a record's timestamp dates the figures it changes)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             max_partition_fetch_bytes=2_000_000)
    partitions = [TopicPartition(source, p) for p in consumer.partitions_for_topic(source) or ()]
    consumer.assign(partitions)
    consumer.seek_to_beginning()
    ends = consumer.end_offsets(partitions)
    producer = _producer(bootstrap)
    copied = 0
    remaining = {tp for tp in partitions if ends[tp] > 0}
    while remaining:
        for tp, records in consumer.poll(timeout_ms=1000).items():
            for record in records:
                producer.send(target, key=record.key, value=record.value,
                              partition=record.partition, timestamp_ms=record.timestamp)
                copied += 1
                if record.offset + 1 >= ends[tp]:
                    remaining.discard(tp)
    producer.flush(timeout=300)
    producer.close()
    consumer.close()
    return copied


def _count(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        return sum(consumer.end_offsets(partitions).values()) if partitions else 0
    finally:
        consumer.close()


def _chaos(system: System, infra: Infrastructure, options: Options, rng: random.Random,
           report: Report) -> None:
    """Each service killed `kills` times at random points, the broker restarted a third of the
    way through, PostgreSQL two thirds of the way."""
    events: list[str] = [s for s in SERVICES for _ in range(options.kills)]
    rng.shuffle(events)
    events.insert(len(events) // 3, "broker")
    events.insert(2 * len(events) // 3, "postgres")
    for event in events:
        time.sleep(rng.uniform(0.5, 3.0))  # a random point of whatever is going on
        if event == "broker":
            took = infra.restart_broker(options.broker_down_s)
            report.say(f"  broker restarted ({took:.1f}s down and back)")
        elif event == "postgres":
            took = infra.restart_postgres(options.postgres_down_s)
            report.say(f"  PostgreSQL restarted ({took:.1f}s down and back)")
        else:
            system.revive_the_fallen()
            system.kill(event)
            time.sleep(rng.uniform(0.0, 1.5))
            system.restart(event)
            try:
                system.processes[event].wait_serving(180)
            except (RuntimeError, TimeoutError) as exc:  # reported; revived by settle()
                last = str(exc).strip().splitlines()[-1][:300]
                report.problems.append(f"{event} did not come back after a kill: {last}")


def _mails(smtp: SmtpServer) -> Counter[tuple[str, str]]:
    return Counter((str(m.message["To"]), str(m.message["Subject"])) for m in smtp.inbox.messages)


def run(options: Options) -> Report:
    report = Report()
    rng = random.Random(options.seed)
    work = options.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    report.say(f"fault suite: {options.records} records, {options.kills} kill -9 per service, "
               f"seed {options.seed}")
    report.say(f"machine: {platform.node() and 'this host'} {platform.machine()}, "
               f"{os.cpu_count()} CPUs, Python {platform.python_version()}")
    broker = KafkaBroker(free_port_pair(), work / "kafka")
    postgres = PostgresServer(free_port(), work / "pg" / "data")
    broker.start()
    postgres.start()
    infra = Infrastructure(broker, postgres)
    feed = portal_feed(options.records, options.seed)
    try:
        with SmtpServer() as faulty_mail, SmtpServer() as clean_mail:
            faulty = System("faulty", infra, work / "faulty", faulty_mail)
            clean = System("clean", infra, work / "clean", clean_mail)
            began = time.monotonic()
            ensure_topics(broker.bootstrap, [prefixed(t, faulty.prefix) for t in ALL_TOPICS])
            injected = _inject(broker.bootstrap, faulty.prefix, before_start=True)
            faulty.start()
            injected += _inject(broker.bootstrap, faulty.prefix, before_start=False)
            chaos_s = options.kills * len(SERVICES) * 6.0
            rate = options.rate or max(100.0, len(feed) / max(chaos_s, 1.0))
            report.say(f"faulty run: feeding {len(feed)} messages at {rate:.0f}/s "
                       f"({injected} poison, oversized and v1 messages on internal topics)")
            done, errors = threading.Event(), list[str]()
            inbound = prefixed(PORTAL_RECORDS, faulty.prefix).name
            feeder = threading.Thread(target=_stream, args=(broker.bootstrap, inbound, feed,
                                                            rate, done, errors), daemon=True)
            feeder.start()
            # The dossiers' steps arrive while services are being killed, spread over the chaos.
            steps = dossier_messages()
            report.say(f"  {len(steps)} nomination dossier events during the kills: "
                       f"{len(mailed(dossier_events()))} steps the notifier mails to the units")
            stepper = threading.Thread(target=_stream, args=(
                broker.bootstrap, prefixed(DOSSIER_EVENTS, faulty.prefix).name, steps,
                len(steps) / max(chaos_s * 0.8, 1.0), threading.Event(), errors), daemon=True)
            stepper.start()
            try:
                _chaos(faulty, infra, options, rng, report)
                feeder.join()
                stepper.join()
                report.problems += errors
                settled = faulty.settle(options.settle_timeout_s)
            finally:
                faulty.stop()
            report.say(f"  kills: {dict(sorted(faulty.kills.items()))}; settled "
                       f"{settled:.0f}s after the feed and chaos; "
                       f"{time.monotonic() - began:.0f}s in all")
            for line in faulty.exits:
                report.problems.append(f"exited by itself: {line}")

            began = time.monotonic()
            ensure_topics(broker.bootstrap, [prefixed(t, clean.prefix) for t in ALL_TOPICS])
            copied = _copy_topic(broker.bootstrap, inbound,
                                 prefixed(PORTAL_RECORDS, clean.prefix).name)
            _inject(broker.bootstrap, clean.prefix, before_start=True)
            _send(broker.bootstrap, prefixed(DOSSIER_EVENTS, clean.prefix).name,
                  dossier_messages())
            clean.start()
            _inject(broker.bootstrap, clean.prefix, before_start=False)
            try:
                clean_settled = clean.settle(options.settle_timeout_s)
            finally:
                clean.stop()
            report.say(f"clean replay: {copied} records of the same log into empty databases, "
                       f"settled in {clean_settled:.0f}s ({time.monotonic() - began:.0f}s)")
            _compare(faulty, clean, report)
            _compare_mail(faulty_mail, clean_mail, report)
            _expected_mail(faulty_mail, clean_mail, report)
            _dead_letters(broker.bootstrap, faulty, clean, report)
    finally:
        broker.reset()
        postgres.reset()
    report.say("RESULT: " + ("PASS" if report.ok else "FAIL"))
    return report


# Tables the feed must fill in any correct run, so that "equal" is not "both empty".
MUST_HOLD_ROWS = {"metrics": ("indicator_cells",), "awards": ("cells", "standings"),
                  "dossiers": ("nominee_figures", "dossiers"), "notifier": ("cells", "deliveries")}


def _compare(faulty: System, clean: System, report: Report) -> None:
    for service in SERVICES:
        read = READERS.get(service, dump_database)
        left, right = read(faulty.database_urls[service]), read(clean.database_urls[service])
        found = compare(service, left, right)
        report.differences += found
        rows = row_counts(right)
        counts = ", ".join(f"{t} {n}" for t, n in sorted(rows.items()))
        for table in MUST_HOLD_ROWS.get(service, ()):
            if not rows.get(table):
                # Equal because both are empty proves nothing.
                report.problems.append(f"{service}: {table} is empty in the replay")
        verdict = "equal" if not found else f"{len(found)} tables differ"
        report.say(f"  {service:<9} read model {verdict} to the clean replay ({counts})")
        for difference in found:
            report.say(f"    {difference.table}: only after faults {difference.only_faulty}; "
                       f"only in the replay {difference.only_clean}")


def _compare_mail(faulty: SmtpServer, clean: SmtpServer, report: Report) -> None:
    sent, expected = _mails(faulty), _mails(clean)
    twice = Counter({mail: n - 1 for mail, n in sent.items() if n > 1})
    extra = Counter(set(sent) - set(expected))
    lost = Counter(set(expected) - set(sent))
    report.say(f"  e-mails: {sum(sent.values())} sent under faults, {sum(expected.values())} in "
               f"the replay; {sum(twice.values())} sent twice, {sum(extra.values())} not in the "
               f"replay, {sum(lost.values())} lost")
    for what, mails in (("sent twice", twice), ("sent only under faults", extra),
                        ("lost", lost)):
        if mails:
            report.problems.append(f"notifier: e-mails {what}: {sorted(mails)[:5]}")


def expected_dossier_mails(events: list[DossierEventBase]) -> set[str]:
    """The idempotency key (the X-Campaign-Idempotency-Key header) of every e-mail the dossiers'
    steps must produce: one per mailed step and contact of the nominating unit."""
    campaign = load_campaign()
    keys = set()
    for event in mailed(events):
        unit = campaign.unit(event.unit_code)
        assert unit is not None
        for contact in unit.contacts:
            keys.add(idempotency_key(DossierStatus.name, contact.email, event.unit_code,
                                     str(event.dossier_id),
                                     f"{event.event_type}:{event.sequence}"))
    return keys


def _keys(smtp: SmtpServer) -> Counter[str]:
    return Counter(str(m.message[IDEMPOTENCY_HEADER]) for m in smtp.inbox.messages)


def _expected_mail(faulty: SmtpServer, clean: SmtpServer, report: Report) -> None:
    """The dossiers' e-mails against the set they must make: each arrived, and once."""
    expected = expected_dossier_mails(dossier_events())
    for run, smtp in (("under faults", faulty), ("in the replay", clean)):
        arrived = _keys(smtp)
        once = sum(1 for key in expected if arrived[key] == 1)
        twice = sorted(key for key in expected if arrived[key] > 1)
        lost = sorted(key for key in expected if arrived[key] == 0)
        report.say(f"  dossier e-mails {run}: {len(expected)} expected, {once} arrived once, "
                   f"{len(twice)} more than once, {len(lost)} lost")
        if twice:
            report.problems.append(f"notifier: dossier e-mails {run} sent twice: {twice[:5]}")
        if lost:
            report.problems.append(f"notifier: dossier e-mails {run} lost: {lost[:5]}")


def _dead_letters(bootstrap: str, faulty: System, clean: System, report: Report) -> None:
    from tests.faults.inputs import INTERNAL_TOPICS

    topics = [PORTAL_RECORDS, *INTERNAL_TOPICS]
    counts = []
    for topic in topics:
        letters = dead_letter_of(topic)
        under = _count(bootstrap, prefixed(letters, faulty.prefix).name)
        replay = _count(bootstrap, prefixed(letters, clean.prefix).name)
        counts.append(f"{topic.name} {under}/{replay}")
    report.say("  dead letters (under faults / replay): " + "; ".join(counts))
