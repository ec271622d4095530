"""What people and other services feel of a running metrics service: GetIndicators under 200
concurrent callers, the time from a portal record to the IndicatorUpdated that carries it at a
province's pace, and gRPC Ingest over one stream. Each against a service process started by
the benchmark.

    python -m bench.serving [--bootstrap HOST:PORT] [--seconds 10] [--callers 200]
        [--ingest-records 60000] [--ingest-pack 500] [--client auto|ghz|python]
        [--client-processes 2]

Alone, it prints the machine, then the ceiling of the load generator itself (the same load
against a trivial gRPC server that answers from a constant), then the service's figures with
the CPU the service spent per call and per record. The load generator is `ghz` when it is on
the PATH (or in ~/go/bin), else Python clients in several processes: one Python process
cannot drive 5,000 calls/s on its own. When `h2load` (Debian's nghttp2-client, HTTP/2 in C)
is installed, GetIndicators is also measured with it: on a 2-core machine the load generator
shares the cores with the server, and ghz spends ~200 µs of CPU per call.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import grpc
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.feed import records
from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from tests.support.records import encode, portal_record

UNITS = ["QLVT", "VP", "KCHT", "TTRA", "KHTC"]
PERIODS = [("campaign", ""), ("month", "2024-07"), ("week", "2024-W30"), ("month", "2024-10")]
PROTO = Path(__file__).resolve().parents[1] / "proto/campaign/metrics/v1/metrics.proto"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


Load = tuple[float, float, float, int]
"""(calls/s, p50 s, p99 s, errors) of a GetIndicators load."""


def questions() -> list[metrics_pb2.GetIndicatorsRequest]:
    """What dashboards ask: every unit over the campaign, two months and a week."""
    return [metrics_pb2.GetIndicatorsRequest(subject_code=unit, period_kind=kind,
                                             period_key=key)
            for unit in UNITS for kind, key in PERIODS]


async def _callers(port: int, callers: int, seconds: float, first: int
                   ) -> tuple[list[float], int, float]:
    """`callers` concurrent callers on one event loop, each asking a random question as fast
    as answers come; (latencies, errors, elapsed)."""
    channels = [grpc.aio.insecure_channel(f"127.0.0.1:{port}") for _ in range(2)]
    asked_for = questions()
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def caller(number: int) -> None:
        nonlocal errors
        stub = metrics_pb2_grpc.MetricsServiceStub(  # type: ignore[no-untyped-call]
            channels[number % len(channels)])
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            asked = time.perf_counter()
            try:
                await stub.GetIndicators(rng.choice(asked_for))
                latencies.append(time.perf_counter() - asked)
            except grpc.aio.AioRpcError:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller(first + i) for i in range(callers)))
    elapsed = time.perf_counter() - started
    for channel in channels:
        await channel.close(None)
    return latencies, errors, elapsed


def _callers_process(args: tuple[int, int, float, int]) -> tuple[list[float], int, float]:
    return asyncio.run(_callers(*args))


async def get_indicators_load(port: int, callers: int = 200, seconds: float = 10.0,
                              processes: int = 2) -> Load:
    """GetIndicators from Python clients: `callers` concurrent callers spread over
    `processes` processes (one process is CPU-bound long before the service is)."""
    return await asyncio.get_running_loop().run_in_executor(
        None, python_load, port, callers, seconds, processes)


def python_load(port: int, callers: int, seconds: float, processes: int) -> Load:
    share = [callers // processes + (1 if i < callers % processes else 0)
             for i in range(processes)]
    jobs = [(port, n, seconds, sum(share[:i])) for i, n in enumerate(share)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        parts = pool.map(_callers_process, jobs)
    latencies = [x for part in parts for x in part[0]]
    elapsed = max(part[2] for part in parts)
    return (len(latencies) / elapsed, _p(latencies, 0.5), _p(latencies, 0.99),
            sum(part[1] for part in parts))


def find_ghz() -> str | None:
    found = shutil.which("ghz")
    home = Path.home() / "go" / "bin" / "ghz"
    return found or (str(home) if home.exists() else None)


def ghz_load(ghz: str, port: int, callers: int = 200, seconds: float = 10.0) -> Load:
    """GetIndicators from ghz (Go): the same questions, round robin, over 2 connections."""
    data = json.dumps([{"subject_code": q.subject_code, "period_kind": q.period_kind,
                        "period_key": q.period_key} for q in questions()])
    reply = subprocess.run(
        [ghz, "--insecure", "--proto", str(PROTO), "--import-paths", str(PROTO.parents[3]),
         "--call", "campaign.metrics.v1.MetricsService/GetIndicators", "--data", data,
         "--concurrency", str(callers), "--connections", "2", "--duration", f"{seconds}s",
         "--format", "json", f"127.0.0.1:{port}"],
        capture_output=True, text=True, check=True)
    report = json.loads(reply.stdout)
    latency = {int(d["percentage"]): d["latency"] / 1e9
               for d in report.get("latencyDistribution") or []}
    codes = report.get("statusCodeDistribution") or {}
    errors = sum(n for code, n in codes.items() if code != "OK")
    return float(report["rps"]), latency.get(50, float("nan")), latency.get(99, float("nan")), \
        errors


def find_h2load() -> str | None:
    return shutil.which("h2load")


def h2load_load(h2load: str, port: int, callers: int = 200, seconds: float = 10.0) -> Load:
    """GetIndicators from h2load (nghttp2's HTTP/2 load generator, in C): gRPC is HTTP/2, and a
    lighter generator leaves more of the machine to the server than ghz (~200 µs of CPU per
    call). One question (QLVT over the campaign), `callers` concurrent streams over 2
    connections, about `seconds` long. h2load does not read gRPC trailers, so every answer is
    checked by its size instead: a call counts as an error unless its full answer arrived."""
    question = questions()[0]
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)  # type: ignore[no-untyped-call]
        answer = len(stub.GetIndicators(question).SerializeToString()) + 5  # with its frame
    body = question.SerializeToString()
    with tempfile.TemporaryDirectory(prefix="h2load-") as tmp:
        request, log = Path(tmp) / "request", Path(tmp) / "log"
        request.write_bytes(b"\0" + len(body).to_bytes(4, "big") + body)
        # A call count rather than h2load's --duration, which sends nothing with a body (-d).
        calls = int(max(1_000, 6_000 * seconds))
        reply = subprocess.run(
            [h2load, "-n", str(calls), "-c", "2", "-m", str(max(1, callers // 2)), "-t", "1",
             "-d", str(request), "-H", "content-type: application/grpc", "-H", "te: trailers",
             "--log-file", str(log),
             f"http://127.0.0.1:{port}/campaign.metrics.v1.MetricsService/GetIndicators"],
            capture_output=True, text=True, check=True)
        rows = [line.split("\t") for line in log.read_text().splitlines() if line]
    out = reply.stdout
    elapsed = float(out.split("finished in ", 1)[1].split("s,", 1)[0])
    data = int(out.split("headers (space savings", 1)[1].split(") data", 1)[0].rsplit("(", 1)[1])
    latencies = [int(row[2]) / 1e6 for row in rows if row[1] == "200"]
    errors = len(rows) - min(len(latencies), data // answer)
    return len(rows) / elapsed, _p(latencies, 0.5), _p(latencies, 0.99), errors


def cpu_seconds(pid: int) -> float:
    """User and system CPU a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def load_with_cpu(pid: int, load: Callable[[], Load]) -> tuple[Load, float, float]:
    """A load, the server's CPU per call (s) and the load generator's CPU per call (s)."""
    server, client, started = cpu_seconds(pid), os.times(), time.perf_counter()
    result = load()
    after, elapsed = os.times(), time.perf_counter() - started
    client_cpu = (after.children_user - client.children_user + after.children_system
                  - client.children_system + after.user - client.user + after.system
                  - client.system)
    calls = max(result[0] * elapsed, 1e-9)
    return result, (cpu_seconds(pid) - server) / calls, client_cpu / calls


async def record_to_event(bootstrap: str, inbound: str, indicators: str, rate: float = 50.0,
                          seconds: float = 20.0) -> tuple[float, float, int]:
    """(p50 s, p95 s, records) from producing a record to receiving the first IndicatorUpdated
    of its unit's K2 campaign cell that carries it (the cell's cause is that record or a later
    one of the same partition), at `rate` records a second."""
    consumer = AIOKafkaConsumer(indicators, bootstrap_servers=bootstrap, group_id=None,
                                auto_offset_reset="latest", enable_auto_commit=False)
    await consumer.start()
    await consumer.seek_to_end()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=0)
    await producer.start()
    sent: dict[tuple[int, int], tuple[float, str]] = {}  # (partition, offset) -> (t, unit)
    arrivals: list[tuple[float, dict[str, object]]] = []
    stop = asyncio.Event()

    async def listen() -> None:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for rows in batch.values():
                arrivals.extend((now, json.loads(m.value or b"")) for m in rows)

    listener = asyncio.create_task(listen())
    run = uuid.uuid4().hex[:6]
    count = int(rate * seconds)
    for i in range(count):
        unit = UNITS[i % 3]
        procedure = {"QLVT": "GTVT.GPLX.02", "VP": "GTVT.VP.01", "KCHT": "GTVT.KCHT.01"}[unit]
        record = portal_record(f"LAT-{run}-{i}", unit=unit, procedure=procedure, paid=i % 2)
        at = time.perf_counter()
        meta = await producer.send_and_wait(inbound, encode(record),
                                            key=str(record["MaHoSo"]).encode())
        sent[(meta.partition, meta.offset)] = (at, unit)
        await asyncio.sleep(max(0.0, at + 1 / rate - time.perf_counter()))
    await asyncio.sleep(5.0)
    stop.set()
    await listener
    await producer.stop()
    await consumer.stop()
    # Which record caused each event: the event's causation id names the record's position.
    from campaign_metrics.adapters.projection import record_id

    causes = {str(record_id(f"{inbound}/{p}/{o}")): (p, o) for p, o in sent}
    carried: dict[tuple[str, int], list[tuple[int, float]]] = {}
    for at, event in arrivals:
        if (event.get("indicator"), event.get("subject_kind"), event.get("period_kind")) != (
                "K2", "unit", "campaign"):
            continue
        cause = causes.get(str(event.get("causation_id")))
        if cause is not None:
            carried.setdefault((str(event["subject_code"]), cause[0]), []).append(
                (cause[1], at))
    latencies = []
    for (partition, offset), (at, unit) in sent.items():
        later = [arrived for cause, arrived in carried.get((unit, partition), [])
                 if cause >= offset]
        if later:
            latencies.append(min(later) - at)
    if not latencies:
        return float("nan"), float("nan"), 0
    return statistics.median(latencies), _p(latencies, 0.95), len(latencies)


def _feed(count: int, pack: int = 1) -> Iterator[metrics_pb2.IngestRecord]:
    values = [value for _key, value in records(count, seed=5)]
    if pack == 1:
        yield from (metrics_pb2.IngestRecord(record=value) for value in values)
    else:
        yield from (metrics_pb2.IngestRecord(records=values[i:i + pack])
                    for i in range(0, count, pack))


async def ingest_rate(port: int, token: str, count: int, pack: int = 1
                      ) -> tuple[float, int, int]:
    """(records/s, accepted, rejected) of one Ingest stream of `count` feed records, `pack`
    records to a message."""
    messages = list(_feed(count, pack))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)  # type: ignore[no-untyped-call]
        started = time.perf_counter()
        summary = await stub.Ingest(iter(messages),
                                    metadata=[("authorization", f"Bearer {token}")])
        elapsed = time.perf_counter() - started
    return count / elapsed, summary.accepted, len(summary.rejected)


async def ingest_in_process(bootstrap: str, topic: str, dead_letter_topic: str, count: int,
                            pack: int = 500) -> tuple[float, float]:
    """(records/s, CPU s per record) of the service's Ingest path alone, in this process:
    validation by the service's decoder and batches to the real broker, without gRPC and
    without the projection applying the records (which the service does beside it); `pack`
    records to a message."""
    from faststream.kafka import KafkaBroker as FastStreamBroker
    from prometheus_client import CollectorRegistry

    from campaign_contracts.events import PortalRecordDeadLettered
    from campaign_kit.runtime import PRODUCER_BATCH_BYTES
    from campaign_kit.wiring import declare_pipelined_publishers
    from campaign_metrics.adapters.inbound_batches import inbound_sender
    from campaign_metrics.adapters.ingest import PortalIngest
    from campaign_metrics.adapters.telemetry import MetricsTelemetry

    values = [value for _key, value in records(count, seed=5)]
    broker = FastStreamBroker(bootstrap, max_batch_size=PRODUCER_BATCH_BYTES)
    inbound = inbound_sender(broker, topic, "bench")
    send = declare_pipelined_publishers(broker, {dead_letter_topic: PortalRecordDeadLettered},
                                        "bench")
    await broker.start()
    try:
        ingest = PortalIngest(send, inbound, dead_letter_topic,
                              MetricsTelemetry(CollectorRegistry()))

        async def messages() -> AsyncIterator[list[bytes]]:
            for start in range(0, count, pack):
                yield values[start:start + pack]

        cpu, started = time.process_time(), time.perf_counter()
        await ingest.ingest("bench", messages())
        return (count / (time.perf_counter() - started),
                (time.process_time() - cpu) / count)
    finally:
        await broker.stop()


# --- the load generator's ceiling: a server that answers from a constant ---------------------


class TrivialMetrics(metrics_pb2_grpc.MetricsServiceServicer):
    """The cheapest server gRPC in Python can be: one constant answer of the real size, and an
    Ingest that only counts."""

    def __init__(self) -> None:
        value = metrics_pb2.IndicatorValue(
            indicator="K2", name="Tỷ lệ hồ sơ trực tuyến", counted_unit="hồ sơ",
            subject_kind="unit", subject_code="QLVT", period_kind="campaign",
            period_key="2024-06-01..2024-12-31", numerator=1091, denominator=1200,
            rate="0.9092", target="0.9000", target_met=True, campaign_version="c" * 12,
            catalogue_version="d" * 12, as_of="2024-07-01T10:00:00+00:00")
        self.answer = metrics_pb2.GetIndicatorsResponse(values=[value] * 3)

    async def GetIndicators(self, request: metrics_pb2.GetIndicatorsRequest,
                            context: object) -> metrics_pb2.GetIndicatorsResponse:
        return self.answer

    async def Ingest(self, request_iterator: object, context: object
                     ) -> metrics_pb2.IngestSummary:
        received = 0
        async for message in request_iterator:  # type: ignore[attr-defined]
            received += len(message.records) or 1
        return metrics_pb2.IngestSummary(portal="trivial", received=received,
                                         accepted=received)


async def serve_trivial(port: int) -> None:
    server = grpc.aio.server()
    metrics_pb2_grpc.add_MetricsServiceServicer_to_server(  # type: ignore[no-untyped-call]
        TrivialMetrics(), server)
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    await server.wait_for_termination()


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        while time.monotonic() < deadline:
            try:
                grpc.channel_ready_future(channel).result(timeout=1.0)
                return
            except grpc.FutureTimeoutError:
                continue
    raise TimeoutError(f"nothing answers on port {port}")


# --- one run ---------------------------------------------------------------------------------


def _ingest_with_cpu(pid: int, port: int, token: str, count: int, pack: int
                     ) -> tuple[float, int, int, float]:
    before = cpu_seconds(pid)
    rate, accepted, rejected = asyncio.run(ingest_rate(port, token, count, pack))
    return rate, accepted, rejected, (cpu_seconds(pid) - before) / count


def _get_line(what: str, load: Load, server_cpu: float, client_cpu: float) -> str:
    calls, p50, p99, errors = load
    return (f"{what}: {calls:,.0f} calls/s, p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"{errors} errors; server CPU {server_cpu * 1e6:.0f} µs/call, load generator CPU "
            f"{client_cpu * 1e6:.0f} µs/call")


def main(argv: list[str] | None = None) -> int:
    # The throughput bench's infrastructure (broker, databases, feed, service process).
    from bench.feed import produce
    from bench.metrics_throughput import (
        create_topic,
        databases,
        end_offsets,
        kafka,
        machine,
        wait_applied,
    )
    from campaign_contracts.topics import PORTAL_RECORDS, prefixed
    from devkit.infra import free_port
    from devkit.processes import ServiceProcess, terminate

    parser = argparse.ArgumentParser(prog="python -m bench.serving")
    parser.add_argument("--bootstrap", help="use this Kafka broker instead of starting one")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--callers", type=int, default=200)
    parser.add_argument("--ingest-records", type=int, default=60_000)  # the issue measured 60,410
    parser.add_argument("--client", choices=["auto", "ghz", "python"], default="auto")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--ingest-pack", type=int, default=500,
                        help="records packed in one Ingest message, measured beside 1")
    parser.add_argument("--no-in-process", action="store_true",
                        help="skip the Ingest path measured in process")
    parser.add_argument("--serve-trivial", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve_trivial:
        asyncio.run(serve_trivial(args.serve_trivial))
        return 0
    ghz = find_ghz() if args.client != "python" else None
    h2load = find_h2load()  # a second, lighter load generator when installed (nghttp2-client)
    packs = [1] + ([args.ingest_pack] if args.ingest_pack > 1 else [])
    if args.client == "ghz" and ghz is None:
        parser.error("ghz is not installed (go install github.com/bojand/ghz/cmd/ghz@latest)")

    def load(port: int) -> Load:
        if ghz is not None:
            return ghz_load(ghz, port, args.callers, args.seconds)
        return python_load(port, args.callers, args.seconds, args.client_processes)

    def say(line: str) -> None:
        print(line, flush=True)

    for line in machine():
        say(line)
    client = (f"ghz ({ghz}), 2 connections (its errors include the calls in flight when it "
              "stops: one per caller)" if ghz else
              f"Python grpc.aio in {args.client_processes} processes")
    say(f"load generator: {client}; {args.callers} concurrent callers for {args.seconds:.0f}s")
    trivial_port = free_port()
    trivial = subprocess.Popen([sys.executable, "-m", "bench.serving", "--serve-trivial",
                                str(trivial_port)], cwd=PROTO.parents[4])
    try:
        _wait_port(trivial_port)
        got, server_cpu, client_cpu = load_with_cpu(trivial.pid, lambda: load(trivial_port))
        say(_get_line("ceiling, GetIndicators against a trivial server", got, server_cpu,
                      client_cpu))
        if h2load is not None:
            got, server_cpu, client_cpu = load_with_cpu(
                trivial.pid, lambda: h2load_load(h2load, trivial_port, args.callers,
                                                 args.seconds))
            say(_get_line("ceiling, the same from h2load", got, server_cpu, client_cpu))
        for pack in packs:
            rate, _, _, cpu = _ingest_with_cpu(trivial.pid, trivial_port, "-",
                                               args.ingest_records, pack)
            say(f"ceiling, one Ingest stream of {args.ingest_records:,} records, {pack} to a "
                f"message, into a trivial server: {rate:,.0f} rec/s, server CPU "
                f"{cpu * 1e6:.0f} µs/record")
    finally:
        terminate(trivial, 10)
    with tempfile.TemporaryDirectory(prefix="serving-bench-") as tmp:
        work = Path(tmp)
        with kafka(args.bootstrap, work) as bootstrap, databases("sqlite", work) as make:
            prefix = f"s{uuid.uuid4().hex[:8]}"
            inbound = prefixed(PORTAL_RECORDS, prefix)
            create_topic(bootstrap, inbound.name, 1)
            asyncio.run(produce(bootstrap, inbound.name, 20_000, 1, seed=3))
            if not args.no_in_process:
                # As many partitions as the service's inbound topic: records are spread by key.
                side = prefixed(PORTAL_RECORDS, f"i{prefix}")
                create_topic(bootstrap, side.name, PORTAL_RECORDS.partitions)
                create_topic(bootstrap, f"{side.name}.dlq", 1)
                for pack in packs:
                    rate, cpu = asyncio.run(ingest_in_process(
                        bootstrap, side.name, f"{side.name}.dlq", args.ingest_records, pack))
                    say(f"Ingest path in process ({args.ingest_records:,} records, {pack} to a "
                        f"message, {PORTAL_RECORDS.partitions} partitions; validation and "
                        f"batches to the broker, no gRPC, no applying): {rate:,.0f} rec/s, "
                        f"{cpu * 1e6:.0f} µs of CPU per record")
            token = uuid.uuid4().hex
            database_url = make("serving")
            env = {"KAFKA_BOOTSTRAP_SERVERS": bootstrap, "TOPIC_PREFIX": prefix,
                   "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
                   "PORTAL_TOKENS": f"bench-portal:{token}"}
            service = ServiceProcess("metrics", env, work / "metrics.log")
            service.start()
            try:
                service.wait_serving()
                wait_applied(database_url, inbound.name, end_offsets(bootstrap, inbound.name))
                assert service.process is not None
                pid, port = service.process.pid, service.grpc_port
                got, server_cpu, client_cpu = load_with_cpu(pid, lambda: load(port))
                say(_get_line("metrics service (SQLite, 20,000 records applied), "
                              "GetIndicators", got, server_cpu, client_cpu)
                    + "  [asked: >= 5,000 calls/s, p99 < 50 ms]")
                if h2load is not None:
                    got, server_cpu, client_cpu = load_with_cpu(
                        pid, lambda: h2load_load(h2load, port, args.callers, args.seconds))
                    say(_get_line("metrics service, GetIndicators from h2load", got,
                                  server_cpu, client_cpu)
                        + "  [asked: >= 5,000 calls/s, p99 < 50 ms]")
                for pack in packs:
                    rate, accepted, rejected, cpu = _ingest_with_cpu(
                        pid, port, token, args.ingest_records, pack)
                    say(f"metrics service, one Ingest stream of {args.ingest_records:,} feed "
                        f"records, {pack} to a message: {rate:,.0f} rec/s ({accepted:,} "
                        f"accepted, {rejected} rejected), server CPU {cpu * 1e6:.0f} µs/record "
                        "(with applying them)  [asked: >= 10,000 rec/s]")
                    # Applied before the next stream: it should not pay for this one's backlog.
                    wait_applied(database_url, inbound.name,
                                 end_offsets(bootstrap, inbound.name))
            finally:
                service.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
