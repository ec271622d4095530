"""What people and other services feel of a running metrics service: GetIndicators under 200
concurrent callers, the time from a portal record to the IndicatorUpdated that carries it at a
province's pace, and gRPC Ingest over one stream. Each against a service process started by
the benchmark."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
import uuid
from collections.abc import Iterator

import grpc
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.feed import records
from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from tests.support.records import encode, portal_record

UNITS = ["QLVT", "VP", "KCHT", "TTRA", "KHTC"]
PERIODS = [("campaign", ""), ("month", "2024-07"), ("week", "2024-W30"), ("month", "2024-10")]


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def get_indicators_load(port: int, callers: int = 200, seconds: float = 10.0
                              ) -> tuple[float, float, float, int]:
    """(calls/s, p50 s, p99 s, errors) of GetIndicators with `callers` concurrent callers,
    each asking for a random unit and period as fast as answers come."""
    channels = [grpc.aio.insecure_channel(f"127.0.0.1:{port}") for _ in range(4)]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def caller(number: int) -> None:
        nonlocal errors
        stub = metrics_pb2_grpc.MetricsServiceStub(  # type: ignore[no-untyped-call]
            channels[number % len(channels)])
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            kind, key = rng.choice(PERIODS)
            asked = time.perf_counter()
            try:
                await stub.GetIndicators(metrics_pb2.GetIndicatorsRequest(
                    subject_code=rng.choice(UNITS), period_kind=kind, period_key=key))
                latencies.append(time.perf_counter() - asked)
            except grpc.aio.AioRpcError:
                errors += 1

    started = time.perf_counter()
    await asyncio.gather(*(caller(i) for i in range(callers)))
    elapsed = time.perf_counter() - started
    for channel in channels:
        await channel.close(None)
    return len(latencies) / elapsed, _p(latencies, 0.5), _p(latencies, 0.99), errors


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


def _feed(count: int) -> Iterator[metrics_pb2.IngestRecord]:
    for _key, value in records(count, seed=5):
        yield metrics_pb2.IngestRecord(record=value)


async def ingest_rate(port: int, token: str, count: int) -> tuple[float, int, int]:
    """(records/s, accepted, rejected) of one Ingest stream of `count` feed records."""
    messages = list(_feed(count))
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)  # type: ignore[no-untyped-call]
        started = time.perf_counter()
        summary = await stub.Ingest(iter(messages),
                                    metadata=[("authorization", f"Bearer {token}")])
        elapsed = time.perf_counter() - started
    return count / elapsed, summary.accepted, len(summary.rejected)
