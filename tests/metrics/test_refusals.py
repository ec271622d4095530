"""How the metrics service refuses, over a real gRPC socket with the service on the real broker
(docs/api.md): the status, a Vietnamese message and a stable reason code, and nothing else
lost — one test per rule."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator, Iterable
from typing import Any, cast

import grpc
import pytest
from kafka.admin import KafkaAdminClient

from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign_kit.grpc_errors import reason_of
from campaign_metrics.app import MetricsService
from campaign_metrics.settings import MetricsSettings
from tests.metrics.conftest import TOKEN
from tests.metrics.test_ingest_fuzz import topic_values
from tests.metrics.test_service_over_kafka import running
from tests.support.records import encode, portal_record

pytestmark = [pytest.mark.kafka,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

PORTAL = [("authorization", f"Bearer {TOKEN}")]


@pytest.fixture
async def service(settings: MetricsSettings) -> AsyncIterator[MetricsService]:
    limited = settings.model_copy(update={"ingest_record_max_bytes": 2048,
                                          "ingest_message_max_bytes": 8192})
    async with running(limited) as started:
        await started.bootstrap.wait_ready()
        yield started


def stub_of(service: MetricsService) -> tuple[grpc.aio.Channel, Any]:
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}")
    return channel, metrics_pb2_grpc.MetricsServiceStub(channel)  # type: ignore[no-untyped-call]


def assert_refused(error: grpc.aio.AioRpcError, code: grpc.StatusCode, reason: str) -> str:
    """The status and reason; returns the message, which must read as Vietnamese."""
    assert error.code() == code
    assert reason_of(error) == reason
    message = error.details() or ""
    assert message == unicodedata.normalize("NFC", message)
    assert any(ch in message for ch in "ạảãàáâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữịỉĩìíọỏõòóụủũùú")
    return message


@pytest.mark.parametrize(("method", "request_", "size"), [
    ("ListIndicators", metrics_pb2.ListIndicatorsRequest, -1),
    ("ListIndicators", metrics_pb2.ListIndicatorsRequest, 501),
    ("ListUnknownDossiers", metrics_pb2.ListUnknownDossiersRequest, -5),
])
async def test_a_page_size_out_of_range_is_invalid(service: MetricsService, method: str,
                                                   request_: Any, size: int) -> None:
    channel, stub = stub_of(service)
    async with channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await getattr(stub, method)(request_(page_size=size))
        assert "page_size" in assert_refused(refused.value, grpc.StatusCode.INVALID_ARGUMENT,
                                             "bad_page_size")
        ok = await stub.ListIndicators(metrics_pb2.ListIndicatorsRequest(page_size=0))
        assert ok is not None  # 0 is the default size, not an error


async def test_a_bad_catalogue_is_invalid_and_names_the_problem(service: MetricsService
                                                                 ) -> None:
    channel, stub = stub_of(service)
    async with channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.LoadCatalogue(metrics_pb2.LoadCatalogueRequest(
                csv=b"MaTTHC,Ten,DonVi\nP1,A,QLVT\n", source="x.csv"))
        message = assert_refused(refused.value, grpc.StatusCode.INVALID_ARGUMENT,
                                 "catalogue_bad_header")
        assert "danh mục" in message


async def test_an_unknown_unit_is_not_found(service: MetricsService) -> None:
    channel, stub = stub_of(service)
    async with channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.GetIndicators(metrics_pb2.GetIndicatorsRequest(subject_code="NOWHERE"))
        assert "NOWHERE" in assert_refused(refused.value, grpc.StatusCode.NOT_FOUND,
                                           "unknown_unit")


async def test_a_record_over_the_limit_is_refused_alone(service: MetricsService) -> None:
    big = encode(portal_record("BIG-1", note="x" * 3000))
    channel, stub = stub_of(service)
    async with channel:
        summary = await stub.Ingest(iter([
            metrics_pb2.IngestRecord(record=encode(portal_record("OK-1"))),
            metrics_pb2.IngestRecord(record=big),
            metrics_pb2.IngestRecord(record=encode(portal_record("OK-2"))),
        ]), metadata=PORTAL)
    assert (summary.received, summary.accepted) == (3, 2)
    assert [(r.index, r.reason) for r in summary.rejected] == [(1, "record_too_large")]
    assert "2048" in summary.rejected[0].detail
    topics = service.components.topics
    bootstrap = service.components.settings.kafka_bootstrap_servers
    assert sorted(topic_values(bootstrap, topics.inbound.name)) == sorted(
        [encode(portal_record("OK-1")), encode(portal_record("OK-2"))])


async def test_a_message_over_the_limit_ends_the_call_with_the_records_before_it_kept(
    service: MetricsService,
) -> None:
    channel, stub = stub_of(service)
    async with channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.Ingest(iter([
                metrics_pb2.IngestRecord(record=encode(portal_record("OK-1"))),
                metrics_pb2.IngestRecord(record=b"x" * 9000),
                metrics_pb2.IngestRecord(record=encode(portal_record("OK-2"))),
            ]), metadata=PORTAL)
    message = assert_refused(refused.value, grpc.StatusCode.RESOURCE_EXHAUSTED,
                             "message_too_large")
    assert "gửi lại từ bản ghi 1" in message
    pairs = cast(Iterable[tuple[str, Any]], refused.value.trailing_metadata() or ())
    assert ("refusal-reason", "message_too_large") in [(k, str(v)) for k, v in pairs]
    topics = service.components.topics
    bootstrap = service.components.settings.kafka_bootstrap_servers
    assert topic_values(bootstrap, topics.inbound.name) == [encode(portal_record("OK-1"))]


async def test_ingest_without_its_topic_is_unavailable_in_vietnamese(
    service: MetricsService,
) -> None:
    topics = service.components.topics
    admin = KafkaAdminClient(bootstrap_servers=service.components.settings
                             .kafka_bootstrap_servers)
    try:
        admin.delete_topics([topics.inbound.name])
    finally:
        admin.close()
    channel, stub = stub_of(service)
    async with channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.Ingest(iter([metrics_pb2.IngestRecord(
                record=encode(portal_record("OK-1")))]), metadata=PORTAL)
    assert "gửi lại" in assert_refused(refused.value, grpc.StatusCode.UNAVAILABLE,
                                       "log_unavailable")


async def test_packed_records_are_numbered_across_the_stream_and_limited_per_message(
    service: MetricsService,
) -> None:
    records = [encode(portal_record(f"PK-{i}")) for i in range(5)]
    channel, stub = stub_of(service)
    async with channel:
        summary = await stub.Ingest(iter([
            metrics_pb2.IngestRecord(record=records[0]),
            metrics_pb2.IngestRecord(records=[records[1], b"{oops", records[2]]),
            metrics_pb2.IngestRecord(record=records[3], records=[records[4]]),
        ]), metadata=PORTAL)
        assert (summary.received, summary.accepted) == (6, 5)
        assert [(r.index, r.reason) for r in summary.rejected] == [(2, "invalid_json")]
        with pytest.raises(grpc.aio.AioRpcError) as refused:  # 4 x 2,100 bytes > 8,192
            await stub.Ingest(iter([
                metrics_pb2.IngestRecord(record=records[0]),
                metrics_pb2.IngestRecord(records=[b"x" * 2100] * 4),
            ]), metadata=PORTAL)
    assert_refused(refused.value, grpc.StatusCode.RESOURCE_EXHAUSTED, "message_too_large")
    inbound = topic_values(service.components.settings.kafka_bootstrap_servers,
                           service.components.topics.inbound.name)
    assert sorted(inbound) == sorted([*records, records[0]])  # the second call's first too
