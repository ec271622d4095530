"""The metrics service, in process, over the real Kafka broker and on SQLite and PostgreSQL:
portal records from the inbound topic and from gRPC Ingest become figures and coalesced
IndicatorUpdated events; a catalogue loaded over gRPC recomputes them; a rebuild from the
topics gives the identical figures."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import grpc
import pytest
from kafka import KafkaConsumer, TopicPartition
from prometheus_client import generate_latest

from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign_metrics.adapters import tables as store
from campaign_metrics.adapters.rebuild import rebuild
from campaign_metrics.app import MetricsService, build
from campaign_metrics.settings import MetricsSettings
from tests.metrics.conftest import TOKEN
from tests.metrics.support import CAMPAIGN_KEY, all_figures, rows_of
from tests.support.kafka_io import producer, read_all
from tests.support.records import encode, portal_record

pytestmark = pytest.mark.kafka



@asynccontextmanager
async def running(settings: MetricsSettings) -> AsyncIterator[MetricsService]:
    service = build(settings)
    async with service.app():
        yield service


async def eventually(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("condition not met in time")


def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(partitions).items()}
    finally:
        consumer.close()


async def caught_up(service: MetricsService) -> None:
    """Every inbound record applied and every change announced and published."""
    parts = service.components
    topic = parts.topics.inbound.name
    ends = end_offsets(parts.settings.kafka_bootstrap_servers, topic)

    def applied() -> bool:
        for partition, end in ends.items():
            position = parts.records.stored_position(topic, partition)
            if end and (position is None or position < end - 1):
                return False
        return True

    await eventually(applied)
    await service.announcements.flush()


def send(bootstrap: str, topic: str, *records: dict[str, Any] | bytes) -> None:
    portal = producer(bootstrap)
    for record in records:
        if isinstance(record, bytes):
            portal.send(topic, key=b"BAD", value=record)
        else:
            portal.send(topic, key=record["MaHoSo"].encode(), value=encode(record))
    portal.flush()
    portal.close()


async def figures(service: MetricsService, unit: str) -> list[tuple[str, int, int, str]]:
    async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
        reply = await metrics_pb2_grpc.MetricsServiceStub(channel).GetIndicators(
            metrics_pb2.GetIndicatorsRequest(subject_kind="unit", subject_code=unit))
    return [(v.indicator, v.numerator, v.denominator, v.rate) for v in reply.values]


async def test_records_from_the_topic_become_figures_and_coalesced_events(
    settings: MetricsSettings,
) -> None:
    async with running(settings) as service:
        topics = service.components.topics
        records = [portal_record(f"Q{i}", paid=i % 2, officer="Hoàng Văn Đức")
                   for i in range(20)]
        send(settings.kafka_bootstrap_servers, topics.inbound.name, *records,
             b'{"MaHoSo": "BAD", "KenhThucHien": 9}',
             portal_record("Q0", paid=1, officer="Hoàng Văn Đức"))  # re-synced: now paid
        await caught_up(service)
        assert await figures(service, "QLVT") == [
            ("K1", 1, 6, "0.1667"), ("K2", 20, 20, "1.0000"), ("K3", 11, 20, "0.5500")]
        scraped = generate_latest(service.components.registry).decode()
    assert "portal_records_total 22.0" in scraped
    assert 'portal_records_rejected_total{reason="missing_field"} 1.0' in scraped
    assert 'indicator_rate{indicator="K3",subject_code="QLVT",subject_kind="unit"} 0.55' in scraped
    assert 'inbound_consumer_lag{partition="' in scraped
    events = read_all(settings.kafka_bootstrap_servers, topics.indicators.name, 10_000, 5)
    k3 = [e for e in events if e["indicator"] == "K3" and e["subject_code"] == "QLVT"
          and e["period_key"] == CAMPAIGN_KEY]
    # 21 records, a handful of batches: far fewer events than changes, the last one exact.
    assert 1 <= len(k3) < 21
    assert k3[-1]["figure"] == {"numerator": 11, "denominator": 20, "rate": "0.5500"}
    dead = read_all(settings.kafka_bootstrap_servers, topics.dead_letter.name, 1, 5)
    assert dead[0]["reason"] == "missing_field" and dead[0]["key"] == "BAD"


async def test_portals_ingest_over_grpc_through_the_log(settings: MetricsSettings) -> None:
    async with running(settings) as service:
        topics = service.components.topics
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
            stub = metrics_pb2_grpc.MetricsServiceStub(channel)
            stream = [metrics_pb2.IngestRecord(record=r) for r in (
                encode(portal_record("G1", unit="VP", procedure="GTVT.VP.01", paid=1)),
                b'{"MaHoSo": "G2"}',
                encode(portal_record("G3", unit="VP", procedure="GTVT.VP.01", paid=0)),
            )]
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.Ingest(iter(stream), metadata=[("authorization", "Bearer nope")])
            assert refused.value.code() == grpc.StatusCode.UNAUTHENTICATED
            summary = await stub.Ingest(iter(stream),
                                        metadata=[("authorization", f"Bearer {TOKEN}")])
        assert (summary.portal, summary.received, summary.accepted) == (
            "cong-dvc-lang-son", 3, 2)
        assert [(r.index, r.dossier_code, r.reason) for r in summary.rejected] == [
            (1, "G2", "missing_field")]
        await caught_up(service)
        assert await figures(service, "VP") == [
            ("K1", 1, 1, "1.0000"), ("K2", 2, 2, "1.0000"), ("K3", 1, 2, "0.5000")]
    inbound = read_all(settings.kafka_bootstrap_servers, topics.inbound.name, 2, 5)
    assert sorted(r["MaHoSo"] for r in inbound) == ["G1", "G3"]
    dead = read_all(settings.kafka_bootstrap_servers, topics.dead_letter.name, 1, 5)
    assert (dead[0]["source"], dead[0]["key"]) == ("grpc:cong-dvc-lang-son#1", "G2")


async def test_a_catalogue_loaded_over_grpc_recomputes_the_figures(
    settings: MetricsSettings,
) -> None:
    async with running(settings) as service:
        topics = service.components.topics
        send(settings.kafka_bootstrap_servers, topics.inbound.name,
             portal_record("H1", paid=1), portal_record("H2", procedure="GTVT.VT.02", paid=1))
        await caught_up(service)
        assert (await figures(service, "QLVT"))[2] == ("K3", 1, 1, "1.0000")
        from campaign_contracts.campaign_file import SEED_CATALOGUE, seed_path

        content = seed_path(SEED_CATALOGUE).read_bytes().replace(
            b"QLVT,toan_trinh,0", b"QLVT,toan_trinh,1")  # VT.02 now carries fees
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
            stub = metrics_pb2_grpc.MetricsServiceStub(channel)
            loaded = await stub.LoadCatalogue(
                metrics_pb2.LoadCatalogueRequest(csv=content, source="danh-muc-2024-08.csv"))
            assert not loaded.already_in_force and loaded.entries == 11

            async def in_force() -> str:
                return str((await stub.GetCatalogue(metrics_pb2.GetCatalogueRequest())).version)

            deadline = time.monotonic() + 30
            while await in_force() != loaded.version and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            again = await stub.LoadCatalogue(metrics_pb2.LoadCatalogueRequest(csv=content))
            assert again.already_in_force
            with pytest.raises(grpc.aio.AioRpcError) as bad:
                await stub.LoadCatalogue(metrics_pb2.LoadCatalogueRequest(csv=b"a,b\n"))
            assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert (await figures(service, "QLVT"))[2] == ("K3", 2, 2, "1.0000")
        await service.announcements.flush()
    events = read_all(settings.kafka_bootstrap_servers, topics.indicators.name, 10_000, 5)
    last = [e for e in events if e["indicator"] == "K3" and e["subject_code"] == "QLVT"
            and e["period_key"] == CAMPAIGN_KEY][-1]
    assert (last["figure"]["denominator"], last["catalogue_version"]) == (2, loaded.version)


async def test_a_rebuild_from_the_log_gives_identical_figures(
    settings: MetricsSettings,
) -> None:
    records = [portal_record(f"R{i}", unit=("QLVT", "VP", "KCHT")[i % 3],
                             procedure=("GTVT.GPLX.02", "GTVT.VP.01", "GTVT.KCHT.01")[i % 3],
                             paid=i % 3, channel=1 + i % 2, officer=f"Cán bộ {i % 4}",
                             received=f"202407{1 + i % 28:02d}0{i % 10}3000")
               for i in range(60)]
    resyncs = [portal_record(f"R{i}", status=3 if i % 2 else 9, paid=1) for i in range(0, 60, 7)]
    async with running(settings) as service:
        topics = service.components.topics
        send(settings.kafka_bootstrap_servers, topics.inbound.name, *records, b"{oops", *resyncs)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
            await metrics_pb2_grpc.MetricsServiceStub(channel).Ingest(
                iter([metrics_pb2.IngestRecord(record=encode(portal_record("G1", paid=1)))]),
                metadata=[("authorization", f"Bearer {TOKEN}")])
        await caught_up(service)
        db = service.components.db
        before = all_figures(db)
        snapshots = sorted(rows_of(db, store.dossiers), key=lambda r: r["dossier_code"])
    report = await rebuild(settings)
    assert report.records == 60 + 1 + len(resyncs) + 1
    after_db = build(settings).components.db
    assert all_figures(after_db) == before
    assert sorted(rows_of(after_db, store.dossiers), key=lambda r: r["dossier_code"]) == snapshots
    # Started again, it carries on from the rebuilt positions and announces every cell once.
    async with running(settings) as service:
        await caught_up(service)
        assert all_figures(service.components.db) == before
    after_db.dispose()
