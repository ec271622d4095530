"""Sustained load on the whole platform, measured (not a timed test): prints figures.

    python -m bench.load_all_services [--rate 500] [--minutes 10] [--sample-s 10]
                                      [--drain-s 300] [--database postgresql|sqlite]

Starts its own Kafka broker (and PostgreSQL) with the repository's deploy/ scripts, the four
services as processes, and feeds realistic portal records (bench.feed) at a steady rate. Every
sample it prints each service's resident memory and each service's consumer lag: the records
on the topics it reads that it has not applied yet (log end minus the positions it stored with
its projections, read from its database), so the lag of every hop is seen, not only the first.
Latency from a record to the standings is measured with probes: one unit (the probe unit) gets
no background records, only a probe every two seconds; each probe raises that unit's K2
denominator over the campaign by one, so the first IndicatorUpdated on the log with
denominator n shows when probe n became a figure, and the first time the awards service's
standing (its standings table, polled every 50 ms) holds a K2 denominator of n shows when it
reached the standings. At the end: memory first/last/peak per service (flat or not), lag per
service (bounded or not), and the latency percentiles of both hops. The baseline in the same
run is the broker's own round trip (produce -> consume) of the probes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from tempfile import TemporaryDirectory

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from sqlalchemy import create_engine, text

from bench.feed import records
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.topics import ALL_TOPICS, INDICATORS, PORTAL_RECORDS, prefixed
from campaign_kit.topics_admin import ensure_topics
from devkit.infra import KafkaBroker, PostgresServer, free_port, free_port_pair
from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer

SERVICES = ("metrics", "awards", "dossiers", "notifier")
PROBE_UNIT = "KCHT"
PROBE_PROCEDURE = "GTVT.KCHT.01"
PROBE_EVERY_S = 2.0


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def scrape(port: int, metric: str) -> float:
    """Sum of a metric's samples on a service's /metrics."""
    total = 0.0
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        for line in reply.read().decode().splitlines():
            if line.startswith(metric) and not line.startswith("#"):
                total += float(line.rsplit(" ", 1)[1])
    return total


def cpu_s(pid: int) -> float:
    """User + system CPU seconds a process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Lags:
    """Each service's consumer lag: for every topic a consumer of it has stored a position on,
    the records past that position (the whole partition where it has none yet)."""

    def __init__(self, bootstrap: str, database_urls: dict[str, str]) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
        self.engines = {name: create_engine(url) for name, url in database_urls.items()}

    def positions(self, service: str) -> dict[tuple[str, str], dict[int, int]]:
        with self.engines[service].connect() as connection:
            rows = connection.execute(text(
                'SELECT consumer, topic, "partition", "offset" FROM consumed_positions')).all()
        found: dict[tuple[str, str], dict[int, int]] = {}
        for consumer, topic, partition, offset in rows:
            found.setdefault((consumer, topic), {})[partition] = offset
        return found

    def sample(self) -> dict[str, float]:
        lags: dict[str, float] = {}
        for service in self.engines:
            try:
                stored = self.positions(service)
                total = 0
                for (_consumer, topic), done in stored.items():
                    partitions = [TopicPartition(topic, p)
                                  for p in self.consumer.partitions_for_topic(topic) or ()]
                    for tp, end in self.consumer.end_offsets(partitions).items():
                        total += max(0, end - (done.get(tp.partition, -1) + 1))
                lags[service] = total
            except Exception:  # a table not created yet, or the broker busy: no figure
                lags[service] = float("nan")
        return lags

    def close(self) -> None:
        self.consumer.close()
        for engine in self.engines.values():
            engine.dispose()


def background(rate_records: int) -> Iterator[tuple[bytes, bytes]]:
    """bench.feed's records without the probe unit's."""
    marker = f'"DonViXuLy": "{PROBE_UNIT}"'.encode()
    for key, value in records(rate_records):
        if marker not in value:
            yield key, value


def probe(n: int) -> tuple[bytes, bytes]:
    code = f"PROBE-{n:06}"
    # Handled and returned (K2 counts dossiers handled), online, in the campaign period.
    record = {"MaHoSo": code, "MaTTHC": PROBE_PROCEDURE, "TenTTHC": "Thủ tục thăm dò",
              "DonViXuLy": PROBE_UNIT, "KenhThucHien": 2, "TrangThaiHoSo": 10,
              "NgayTiepNhan": "20240801090000", "NgayHenTra": "20240806090000",
              "NgayKetThucXuLy": "20240802090000", "NgayTra": "20240802100000",
              "DuocThanhToanTrucTuyen": 0}
    return code.encode(), json.dumps(record, ensure_ascii=False).encode()


@dataclass
class Probes:
    sent: dict[int, float] = field(default_factory=dict)  # n -> monotonic send time
    on_log: dict[int, float] = field(default_factory=dict)  # baseline: read back from the log
    figure: dict[int, float] = field(default_factory=dict)  # n -> first IndicatorUpdated with it
    standing: dict[int, float] = field(default_factory=dict)  # n -> first standing with it


def feed(bootstrap: str, topic: str, rate: float, seconds: float, probes: Probes,
         stop: threading.Event) -> int:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=10,
                             batch_size=256 * 1024)
    began = time.monotonic()
    sent = 0
    next_probe = began
    source = background(int(rate * seconds * 2) + 1000)  # the probe unit's are left out
    while not stop.is_set():
        now = time.monotonic()
        if now - began >= seconds:
            break
        if now >= next_probe:
            n = len(probes.sent) + 1
            key, value = probe(n)
            probes.sent[n] = time.monotonic()
            producer.send(topic, key=key, value=value)
            next_probe += PROBE_EVERY_S
        due = int((now - began) * rate) - sent
        for _ in range(max(0, min(due, 2000))):
            key, value = next(source)
            producer.send(topic, key=key, value=value)
            sent += 1
        time.sleep(0.01)
    producer.flush()
    producer.close()
    return sent


def probe_figure(value: bytes) -> int | None:
    """The probe unit's K2 denominator over the campaign, if this IndicatorUpdated is it."""
    if PROBE_UNIT.encode() not in value:
        return None
    event = json.loads(value)
    if (event.get("subject_kind"), event.get("subject_code"), event.get("indicator"),
            event.get("period_kind")) != ("unit", PROBE_UNIT, "K2", "campaign"):
        return None
    return int(event["figure"]["denominator"])


def standing_denominator(figures: str | None) -> int:
    """The K2 denominator in a standing's figures ([[indicator, numerator, denominator], ...])."""
    for indicator, _numerator, denominator in json.loads(figures or "[]"):
        if indicator == "K2":
            return int(denominator)
    return 0


def reached(found: dict[int, float], upto: int, seen: float) -> None:
    for n in range(1, upto + 1):
        found.setdefault(n, seen)


def watch_standings(awards_url: str, bootstrap: str, inbound: str, indicators: str,
                    probes: Probes, stop: threading.Event) -> None:
    """Polls the awards service's standings (its read model: the probe unit's standing over
    the campaign) every 50 ms, and reads the probes back from the log (the baseline) and their
    figures from the indicators topic."""
    engine = create_engine(awards_url)
    consumer = KafkaConsumer(inbound, indicators, bootstrap_servers=bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             max_partition_fetch_bytes=4_000_000)
    query = text("SELECT figures FROM standings WHERE period_key = :period "
                 "AND subject_kind = 'unit' AND subject_code = :unit")
    period = load_campaign().period.key
    while not stop.is_set():
        # One poll per round, never "until the topic is quiet": under a steady feed it never
        # is, and the standings would be read late (as an earlier version of this bench did).
        for batch in consumer.poll(timeout_ms=20, max_records=5000).values():
            for message in batch:
                if message.topic == inbound:
                    if message.key and message.key.startswith(b"PROBE-"):
                        probes.on_log.setdefault(int(message.key[6:]), time.monotonic())
                elif (denominator := probe_figure(message.value)) is not None:
                    reached(probes.figure, denominator, time.monotonic())
        try:
            with engine.connect() as connection:
                figures = connection.execute(query, {"unit": PROBE_UNIT,
                                                     "period": period}).scalar()
            denominator = standing_denominator(figures)
        except Exception:  # the table appears with the service's schema
            denominator = 0
        reached(probes.standing, denominator, time.monotonic())
        time.sleep(0.05)
    consumer.close()
    engine.dispose()


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return "n/a"
    cut = statistics.quantiles(values, n=100, method="inclusive")
    return (f"p50 {cut[49] * 1000:.0f} ms, p90 {cut[89] * 1000:.0f} ms, "
            f"p99 {cut[98] * 1000:.0f} ms, max {max(values) * 1000:.0f} ms (n={len(values)})")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_all_services")
    parser.add_argument("--rate", type=float, default=500.0, help="records/s")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--sample-s", type=float, default=10.0)
    parser.add_argument("--drain-s", type=float, default=300.0,
                        help="how long to wait after the feed for every lag to reach 0")
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    seconds = args.minutes * 60
    print(f"load: {args.rate:.0f} records/s for {args.minutes:g} min, all four services, "
          f"{args.database}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs (shared), "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    with TemporaryDirectory(prefix="load-") as tmp, ExitStack() as stack:
        work = Path(tmp)
        broker = KafkaBroker(free_port_pair(), work / "kafka")
        broker.start()
        stack.callback(broker.reset)
        pg: PostgresServer | None = None
        if args.database == "postgresql":
            pg = PostgresServer(free_port(), work / "pg" / "data")
            pg.start()
            stack.callback(pg.reset)
        smtp = stack.enter_context(SmtpServer())
        prefix = "load"
        ensure_topics(broker.bootstrap, [prefixed(t, prefix) for t in ALL_TOPICS])
        services: dict[str, ServiceProcess] = {}
        for name in SERVICES:
            env = {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "TOPIC_PREFIX": prefix,
                   "DATA_DIR": str(work / name), "SMTP_PORT": str(smtp.port),
                   "LOG_LEVEL": "WARNING"}
            if pg is not None:
                env["DATABASE_URL"] = pg.create_database(f"load_{name}")
            services[name] = ServiceProcess(name, env, work / f"{name}.log")
            services[name].start()
            stack.callback(services[name].stop)
        for process in services.values():
            process.wait_serving(180)
        inbound = prefixed(PORTAL_RECORDS, prefix).name
        probes, stop = Probes(), threading.Event()
        sent_box: list[int] = []
        feeder = threading.Thread(target=lambda: sent_box.append(
            feed(broker.bootstrap, inbound, args.rate, seconds, probes, stop)), daemon=True)
        urls = {name: process.env.get("DATABASE_URL", f"sqlite:///{work / name / f'{name}.db'}")
                for name, process in services.items()}
        watcher = threading.Thread(target=watch_standings, args=(
            urls["awards"], broker.bootstrap, inbound, prefixed(INDICATORS, prefix).name, probes,
            stop), daemon=True)
        watcher.start()
        lag_of = Lags(broker.bootstrap, urls)
        stack.callback(lag_of.close)
        pids = {}
        for name, process in services.items():
            assert process.process is not None
            pids[name] = process.process.pid
        cpu_before = {name: cpu_s(pid) for name, pid in pids.items()}
        began = time.monotonic()
        feeder.start()
        memory: dict[str, list[float]] = {name: [] for name in SERVICES}
        lags: dict[str, list[float]] = {name: [] for name in SERVICES}
        print(f"{'t (s)':>6} " + " ".join(f"{n + ' MiB':>13}" for n in SERVICES)
              + " " + " ".join(f"{n + ' lag':>13}" for n in SERVICES) + f" {'records in':>11}")

        def sample() -> None:
            row = []
            for name, pid in pids.items():
                mib = rss_mib(pid)
                memory[name].append(mib)
                row.append(f"{mib:>13.0f}")
            lag = lag_of.sample()
            for name in SERVICES:
                lags[name].append(lag[name])
                row.append(f"{lag[name]:>13.0f}")
            try:
                counted = scrape(services["metrics"].metrics_port, "portal_records_total")
            except OSError:
                counted = float("nan")
            print(f"{time.monotonic() - began:>6.0f} " + " ".join(row) + f" {counted:>11.0f}",
                  flush=True)

        while feeder.is_alive():
            time.sleep(args.sample_s)
            sample()
        fed_s = time.monotonic() - began
        feed_samples = len(lags["metrics"])
        # After the feed: how long until every service has applied everything (drain).
        drained = float("nan")
        while time.monotonic() - began < fed_s + args.drain_s:
            time.sleep(min(args.sample_s, 5.0))
            sample()
            if all(lags[name][-1] == 0 for name in SERVICES):
                drained = time.monotonic() - began - fed_s
                break
        time.sleep(3)  # the last probes reach the standings
        stop.set()
        watcher.join(10)
        cpu = {name: cpu_s(pid) - cpu_before[name] for name, pid in pids.items()}
        sent = sent_box[0] if sent_box else 0
        print(f"\nfed {sent} records + {len(probes.sent)} probes in {fed_s:.0f}s "
              f"({sent / max(fed_s, 1):.0f} records/s offered); every service caught up "
              + (f"{drained:.0f}s after the feed" if drained == drained
                 else f"NOT within {args.drain_s:.0f}s after the feed"))
        for name, series in memory.items():
            if series:
                first, last, peak = series[0], series[-1], max(series)
                half = series[len(series) // 2:]
                trend = "flat" if max(half) - min(half) < max(20.0, 0.1 * first) else "growing"
                print(f"  {name:<9} RSS first {first:.0f} MiB, last {last:.0f} MiB, peak "
                      f"{peak:.0f} MiB — second half {trend}; CPU {cpu[name]:.0f} s "
                      f"({1000 * cpu[name] / max(sent, 1):.2f} ms per record fed)")
        for name, series in lags.items():
            during = [lag for lag in series[:feed_samples] if lag == lag]
            if during:
                early, late = during[:len(during) // 2] or during, during[len(during) // 2:]
                # Bounded: the second half of the feed ends no further behind than the first
                # half got (or than a sample's worth of records).
                bounded = max(late) <= max(1.5 * max(early), args.rate * args.sample_s)
                print(f"  {name:<9} lag during the feed: max {max(during):.0f}, last "
                      f"{during[-1]:.0f}; after the drain {series[-1]:.0f} records — "
                      f"{'bounded' if bounded else 'growing'}")
        to_figure = [probes.figure[n] - t for n, t in probes.sent.items() if n in probes.figure]
        to_standing = [probes.standing[n] - t for n, t in probes.sent.items()
                       if n in probes.standing]
        figure_to_standing = [probes.standing[n] - probes.figure[n] for n in probes.sent
                              if n in probes.standing and n in probes.figure]
        to_log = [probes.on_log[n] - t for n, t in probes.sent.items() if n in probes.on_log]
        print(f"  record -> IndicatorUpdated: {percentiles(to_figure)}; "
              f"{len(probes.sent) - len(to_figure)} probes not seen")
        print(f"  IndicatorUpdated -> standings: {percentiles(figure_to_standing)}")
        print(f"  record -> standings: {percentiles(to_standing)}; "
              f"{len(probes.sent) - len(to_standing)} probes not seen")
        print(f"  baseline, record -> readable on the log: {percentiles(to_log)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
