"""Fuzzing the gRPC way in: streams of arbitrary and mangled portal records, through the real
Ingest of a running service into the real broker. Nothing crashes the call and nothing is
silently dropped: every record sent is accepted (and on the inbound topic) or refused with a
reason (and on the dead-letter topic with that reason)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import grpc
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as fuzzing
from hypothesis import strategies as st
from kafka import KafkaConsumer

from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign_metrics.app import MetricsService, build
from campaign_metrics.settings import MetricsSettings
from tests.metrics.conftest import TOKEN
from tests.support.records import encode, portal_record

pytestmark = pytest.mark.kafka

RECORD_MAX = 4096

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=3),
    max_leaves=8,
)
FIELDS = ["MaHoSo", "MaTTHC", "DonViXuLy", "KenhThucHien", "TrangThaiHoSo", "NgayTiepNhan",
          "DuocThanhToanTrucTuyen", "DanhSachLePhi", "QuaTrinhXuLy", "NgayHenTra"]


@st.composite
def good_records(draw: st.DrawFn) -> bytes:
    number = draw(st.integers(0, 10**6))
    unit, procedure = draw(st.sampled_from([("QLVT", "GTVT.GPLX.02"), ("VP", "GTVT.VP.01")]))
    return encode(portal_record(f"FZ-{number}", unit=unit, procedure=procedure,
                                paid=draw(st.integers(0, 2))))


@st.composite
def mangled_records(draw: st.DrawFn) -> bytes:
    record: dict[str, Any] = portal_record(f"FZ-M{draw(st.integers(0, 10**6))}")
    for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3)):
        if draw(st.booleans()):
            record.pop(field, None)
        else:
            record[field] = draw(json_values)
    return json.dumps(record, ensure_ascii=draw(st.booleans())).encode("utf-8")


@st.composite
def cut_records(draw: st.DrawFn) -> bytes:
    raw = encode(portal_record("FZ-CUT"))
    return raw[:draw(st.integers(0, len(raw) - 1))]


records = st.one_of(
    good_records(), mangled_records(), cut_records(), st.binary(max_size=200),
    st.integers(5_000, 50_000).map(lambda n: b"[" * n),  # deeper than a parser's recursion
    st.integers(RECORD_MAX, 2 * RECORD_MAX).map(
        lambda n: b'{"MaHoSo": "FZ-BIG", "x": "' + b"a" * n + b'"}'),
)


@contextmanager
def service_in_thread(settings: MetricsSettings) -> Iterator[MetricsService]:
    """The service on its own event loop, so the fuzzer can call it like any client."""
    service = build(settings)
    started, stop = threading.Event(), threading.Event()
    failure: list[BaseException] = []

    async def run() -> None:
        async with service.app():
            started.set()
            while not stop.is_set():
                await asyncio.sleep(0.05)

    def main() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # reported by the test, not lost in the thread
            failure.append(exc)
            started.set()

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    started.wait(120)
    try:
        assert not failure, failure
        yield service
    finally:
        stop.set()
        thread.join(60)


def topic_values(bootstrap: str, topic: str) -> list[bytes]:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=3000)
    try:
        return [message.value for message in consumer]
    finally:
        consumer.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_no_record_crashes_ingest_or_goes_missing(settings: MetricsSettings) -> None:
    settings = settings.model_copy(update={"ingest_record_max_bytes": RECORD_MAX})
    accepted: list[bytes] = []
    reasons: Counter[str] = Counter()
    with service_in_thread(settings) as service, \
            grpc.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)  # type: ignore[no-untyped-call]

        @fuzzing(max_examples=40, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(st.lists(records, min_size=1, max_size=12), st.integers(1, 4))
        def one_stream(stream: list[bytes], pack: int) -> None:
            # One record per message, or `pack` records packed in each.
            messages = ([metrics_pb2.IngestRecord(record=r) for r in stream] if pack == 1 else
                        [metrics_pb2.IngestRecord(records=stream[i:i + pack])
                         for i in range(0, len(stream), pack)])
            summary = stub.Ingest(iter(messages),
                                  metadata=[("authorization", f"Bearer {TOKEN}")], timeout=30)
            assert summary.received == len(stream)
            refused = {r.index: r for r in summary.rejected}
            assert summary.accepted + len(refused) == len(stream)
            for index, raw in enumerate(stream):
                if index in refused:
                    assert refused[index].reason and refused[index].detail
                    reasons[refused[index].reason] += 1
                else:
                    accepted.append(raw)

        one_stream()
        topics = service.components.topics
        bootstrap = settings.kafka_bootstrap_servers
        # Accepted: on the inbound topic as sent, each once. Refused: dead-lettered, same reasons.
        assert Counter(topic_values(bootstrap, topics.inbound.name)) == Counter(accepted)
        dead = [json.loads(v) for v in topic_values(bootstrap, topics.dead_letter.name)]
        assert Counter(d["reason"] for d in dead) == reasons
    assert reasons["record_too_large"] > 0 and accepted  # the fuzzer reached both sides
