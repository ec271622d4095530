"""Traceability and status over a real gRPC socket, with the service on the real broker:
the dossiers behind a cell (numerator or denominator, paged, each with the record that placed
it), and GetStatus / the caught-up health status / the gauge saying when every record is
applied, with unattributed dossiers, dead letters and the definitions' reports."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from kafka import KafkaConsumer
from prometheus_client import generate_latest

from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign_contracts.campaign_file import SEED_CATALOGUE, seed_path
from campaign_contracts.topics import CATALOGUE, prefixed
from campaign_metrics.adapters.catch_up import CAUGHT_UP_HEALTH
from campaign_metrics.app import MetricsService
from campaign_metrics.settings import MetricsSettings
from tests.metrics.conftest import TOKEN
from tests.metrics.support import CAMPAIGN_KEY
from tests.metrics.test_service_over_kafka import figures, running, send
from tests.support.kafka_io import create_all_topics
from tests.support.records import portal_record

pytestmark = pytest.mark.kafka


async def wait_caught_up(service: MetricsService, timeout: float = 60.0) -> None:
    """As a script would: GetStatus says caught up (as of the call), and then the caught-up
    health status turns SERVING too (it is read once a second)."""
    deadline = time.monotonic() + timeout
    async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
        stub = _stub(channel)
        while not (await stub.GetStatus(metrics_pb2.GetStatusRequest())).caught_up:
            if time.monotonic() > deadline:
                raise TimeoutError("GetStatus never said caught up")
            await asyncio.sleep(0.1)
        health = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            try:
                reply = await health.Check(health_pb2.HealthCheckRequest(service=CAUGHT_UP_HEALTH))
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.aio.AioRpcError:
                pass  # not known yet
            await asyncio.sleep(0.1)
    raise TimeoutError("never caught up")


def records_at(bootstrap: str, topic: str) -> dict[tuple[int, int], dict[str, Any]]:
    """Every JSON record of a topic by (partition, offset)."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=3000)
    found: dict[tuple[int, int], dict[str, Any]] = {}
    try:
        for message in consumer:
            with contextlib.suppress(ValueError):
                found[(message.partition, message.offset)] = json.loads(message.value)
    finally:
        consumer.close()
    return found


def _stub(channel: grpc.aio.Channel) -> metrics_pb2_grpc.MetricsServiceStub:
    return metrics_pb2_grpc.MetricsServiceStub(channel)


async def test_the_dossiers_behind_a_cell_and_the_service_status(
    settings: MetricsSettings,
) -> None:
    async with running(settings) as service:
        inbound = service.components.topics.inbound.name
        send(settings.kafka_bootstrap_servers, inbound,
             portal_record("P1", paid=1, officer="Nguyễn Thị Hương"),  # offset 0
             portal_record("P2", paid=0),  # 1
             portal_record("P3", paid=2),  # 2
             portal_record("X1", unit="SO-XAY-DUNG", procedure="XD.01"),  # 3: unattributed
             b'{"MaHoSo": "BAD"}',  # 4: dead letter
             portal_record("P2", paid=1, channel=1))  # 5: re-synced, now paid, in person
        await wait_caught_up(service)
        scraped = generate_latest(service.components.registry).decode()
        assert "inbound_caught_up 1.0" in scraped
        assert 'unattributed_dossiers{unit_code="SO-XAY-DUNG"} 1.0' in scraped
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
            stub = _stub(channel)
            status = await stub.GetStatus(metrics_pb2.GetStatusRequest())
            assert (status.caught_up, status.lag) == (True, 0)
            assert [(u.unit_code, u.dossiers) for u in status.unattributed_units] == [
                ("SO-XAY-DUNG", 1)]
            assert status.unattributed_dossiers == 1
            assert [(d.reason, d.count) for d in status.dead_letters] == [("missing_field", 1)]
            units = {(s.kind, s.code): s.records for s in status.sources}
            assert units[("unit", "QLVT")] == 3 and units[("unit", "SO-XAY-DUNG")] == 1
            assert status.campaign_version == "2024.1" and len(status.catalogue_version) == 12
            assert any("TTRA has no online service" in r for r in status.definition_reports)

            numerator = await stub.ListCellDossiers(metrics_pb2.ListCellDossiersRequest(
                indicator="K3", subject_code="QLVT", part="numerator"))
            assert numerator.total == 3
            assert [(d.dossier_code, d.payment, d.in_numerator)
                    for d in numerator.dossiers] == [
                ("P1", 1, True), ("P2", 1, True), ("P3", 2, True)]
            # Each row names the record that placed it: P2's is its re-sync, not its first.
            placed = records_at(settings.kafka_bootstrap_servers, inbound)
            for row in numerator.dossiers:
                record = placed[(row.source_partition, row.source_offset)]
                assert row.source_topic == inbound
                assert (record["MaHoSo"], record["DuocThanhToanTrucTuyen"]) == (
                    row.dossier_code, row.payment)
            assert numerator.dossiers[0].received_at == "2024-07-02"
            k2 = await stub.ListCellDossiers(metrics_pb2.ListCellDossiersRequest(
                indicator="K2", subject_code="QLVT", part="numerator"))
            assert [d.dossier_code for d in k2.dossiers] == ["P1", "P3"]  # P2 now in person
            pages, token = [], ""
            while True:
                page = await stub.ListCellDossiers(metrics_pb2.ListCellDossiersRequest(
                    indicator="K2", subject_kind="department", period_kind="month",
                    period_key="2024-07", page_size=2, page_token=token))
                pages.append([d.dossier_code for d in page.dossiers])
                token = page.next_page_token
                if not token:
                    break
            assert pages == [["P1", "P2"], ["P3"]]  # X1's unit takes no part
            officer = await stub.ListCellDossiers(metrics_pb2.ListCellDossiersRequest(
                indicator="K3", subject_kind="officer", subject_code="QLVT/Nguyễn Thị Hương"))
            assert [(d.dossier_code, d.officer) for d in officer.dossiers] == [
                ("P1", "Nguyễn Thị Hương")]
            services = await stub.ListCellDossiers(metrics_pb2.ListCellDossiersRequest(
                indicator="K1", subject_code="QLVT", period_key=CAMPAIGN_KEY))
            assert len(services.dossiers) == 6  # QLVT's six online services
            assert [s.item for s in services.dossiers if s.in_numerator] == ["GTVT.GPLX.02"]
            wrongs: list[tuple[dict[str, str], grpc.StatusCode]] = [
                ({"indicator": "K9", "subject_code": "QLVT"}, grpc.StatusCode.INVALID_ARGUMENT),
                ({"indicator": "K3", "subject_code": "QLVT", "part": "both"},
                 grpc.StatusCode.INVALID_ARGUMENT),
                ({"indicator": "K1", "subject_kind": "officer", "subject_code": "QLVT/A"},
                 grpc.StatusCode.INVALID_ARGUMENT),
                ({"indicator": "K3", "subject_kind": "department", "subject_code": "SXD"},
                 grpc.StatusCode.NOT_FOUND),
            ]
            for wrong, code in wrongs:
                with pytest.raises(grpc.aio.AioRpcError) as refused:
                    await stub.ListCellDossiers(metrics_pb2.ListCellDossiersRequest(
                        **wrong))  # type: ignore[arg-type]
                assert refused.value.code() == code
                pairs = cast(Iterable[tuple[str, Any]], refused.value.trailing_metadata() or ())
                reasons = {key: str(value) for key, value in pairs}
                assert reasons["refusal-reason"] in {
                    "unknown_indicator", "bad_part", "not_applicable", "unknown_department"}
            ingested = await stub.Ingest(
                iter([metrics_pb2.IngestRecord(record=b"{oops")]),
                metadata=[("authorization", f"Bearer {TOKEN}")])
            assert ingested.rejected[0].reason == "invalid_json"
            status = await stub.GetStatus(metrics_pb2.GetStatusRequest())
            assert dict((d.reason, d.count) for d in status.dead_letters) == {
                "missing_field": 1, "invalid_json": 1}
            assert [(s.kind, s.code, s.records) for s in status.sources
                    if s.kind == "portal"] == [("portal", "cong-dvc-lang-son", 1)]


async def test_a_catalogue_file_other_than_the_one_in_force_says_so_at_start(
    settings: MetricsSettings, tmp_path: Path,
) -> None:
    async with running(settings) as service:
        await wait_caught_up(service)
    other = tmp_path / "danh-muc-moi.csv"
    other.write_bytes(seed_path(SEED_CATALOGUE).read_bytes().replace(
        b"QLVT,toan_trinh,0", b"QLVT,toan_trinh,1"))
    async with running(settings.model_copy(update={"catalogue_file": other})) as service:
        await wait_caught_up(service)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
            status = await _stub(channel).GetStatus(metrics_pb2.GetStatusRequest())
    assert "danh-muc-moi.csv" in status.catalogue_file_note
    assert "is not the catalogue in force" in status.catalogue_file_note


async def test_a_catalogue_topic_of_only_unreadable_messages_is_seeded_and_says_so(
    settings: MetricsSettings,
) -> None:
    """Before, such a topic left the service with no catalogue: it waited for ever, counting
    nothing and saying nothing."""
    create_all_topics(settings.kafka_bootstrap_servers, settings.topic_prefix)
    catalogue = prefixed(CATALOGUE, settings.topic_prefix).name
    send(settings.kafka_bootstrap_servers, catalogue, b"{oops", b'{"type": "CatalogueLoaded"}')
    async with running(settings) as service:
        send(settings.kafka_bootstrap_servers, service.components.topics.inbound.name,
             portal_record("HS-SAU-LOI", paid=1))
        await wait_caught_up(service)
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
            status = await _stub(channel).GetStatus(metrics_pb2.GetStatusRequest())
        counted = await figures(service, "QLVT")
    assert "held no readable catalogue (2 message(s) dead-lettered)" in \
        status.catalogue_file_note
    assert status.catalogue_version  # the seed is in force
    assert ("K2", 1, 1) in {(indicator, numerator, denominator)
                            for indicator, numerator, denominator, _ in counted}
