"""Sustained load on the whole platform, measured (not a timed test): prints figures.

    python -m bench.load_all_services [--rate 500] [--minutes 10] [--sample-s 10]
                                      [--database postgresql|sqlite]

Starts its own Kafka broker (and PostgreSQL) with the repository's deploy/ scripts, the four
services as processes, and feeds realistic portal records (bench.feed) at a steady rate. Every
sample it prints each service's resident memory, the metrics service's inbound lag, and how far
behind the feed is. Latency from a record to the standings is measured with probes: one unit
(the probe unit) gets no background records, only a probe every two seconds; each probe raises
that unit's K2 denominator by one, so the first time the standings' K2 denominator reaches n
shows when probe n reached the standings (the awards service's standing_indicators table,
polled every 50 ms: a StandingUpdated is only published when points, rank or targets change).
At the end: memory first/last/peak per service (flat
or not), lag, and the latency percentiles. The baseline in the same run is the broker's own
round trip (produce -> consume) of the probes.
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

from kafka import KafkaConsumer, KafkaProducer
from sqlalchemy import create_engine, text

from bench.feed import records
from campaign_contracts.topics import ALL_TOPICS, PORTAL_RECORDS, prefixed
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


def watch_standings(awards_url: str, bootstrap: str, inbound: str, probes: Probes,
                    stop: threading.Event) -> None:
    """Polls the awards service's standings (its read model: the K2 cell of the probe unit)
    every 50 ms, and reads the probes back from the log for the baseline."""
    engine = create_engine(awards_url)
    consumer = KafkaConsumer(inbound, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=50)
    query = text("SELECT max(denominator) FROM standing_indicators "
                 "WHERE unit_code = :unit AND indicator = 'K2'")
    reached = 0
    while not stop.is_set():
        for message in consumer:
            if message.key and message.key.startswith(b"PROBE-"):
                probes.on_log.setdefault(int(message.key[6:]), time.monotonic())
        try:
            with engine.connect() as connection:
                denominator = int(connection.execute(query, {"unit": PROBE_UNIT}).scalar() or 0)
        except Exception:  # the table appears with the first standing
            denominator = 0
        seen = time.monotonic()
        for n in range(reached + 1, denominator + 1):
            probes.standing.setdefault(n, seen)
        reached = max(reached, denominator)
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
        awards_url = services["awards"].env.get(
            "DATABASE_URL", f"sqlite:///{work / 'awards' / 'awards.db'}")
        watcher = threading.Thread(target=watch_standings, args=(
            awards_url, broker.bootstrap, inbound, probes, stop), daemon=True)
        watcher.start()
        began = time.monotonic()
        feeder.start()
        memory: dict[str, list[float]] = {name: [] for name in SERVICES}
        lags: list[float] = []
        print(f"{'t (s)':>6} " + " ".join(f"{n + ' MiB':>13}" for n in SERVICES)
              + f" {'inbound lag':>12} {'records in':>11}")
        while feeder.is_alive() or time.monotonic() - began < seconds:
            time.sleep(args.sample_s)
            row = []
            for name, process in services.items():
                assert process.process is not None
                mib = rss_mib(process.process.pid)
                memory[name].append(mib)
                row.append(f"{mib:>13.0f}")
            try:
                lag = scrape(services["metrics"].metrics_port, "inbound_consumer_lag")
                counted = scrape(services["metrics"].metrics_port, "portal_records_total")
            except OSError:
                lag, counted = float("nan"), float("nan")
            lags.append(lag)
            print(f"{time.monotonic() - began:>6.0f} " + " ".join(row)
                  + f" {lag:>12.0f} {counted:>11.0f}", flush=True)
            if not feeder.is_alive():
                break
        time.sleep(15)  # the last probes reach the standings
        stop.set()
        watcher.join(10)
        sent = sent_box[0] if sent_box else 0
        elapsed = time.monotonic() - began
        print(f"\nfed {sent} records + {len(probes.sent)} probes in {elapsed:.0f}s "
              f"({sent / max(elapsed, 1):.0f} records/s offered)")
        for name, series in memory.items():
            if series:
                first, last, peak = series[0], series[-1], max(series)
                half = series[len(series) // 2:]
                trend = "flat" if max(half) - min(half) < max(20.0, 0.1 * first) else "growing"
                print(f"  {name:<9} RSS first {first:.0f} MiB, last {last:.0f} MiB, peak "
                      f"{peak:.0f} MiB — second half {trend}")
        finite = [lag for lag in lags if lag == lag]
        if finite:
            print(f"  inbound lag: max {max(finite):.0f}, last {finite[-1]:.0f} records")
        to_standing = [probes.standing[n] - t for n, t in probes.sent.items()
                       if n in probes.standing]
        to_log = [probes.on_log[n] - t for n, t in probes.sent.items() if n in probes.on_log]
        print(f"  record -> standings: {percentiles(to_standing)}; "
              f"{len(probes.sent) - len(to_standing)} probes not seen")
        print(f"  baseline, record -> readable on the log: {percentiles(to_log)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
