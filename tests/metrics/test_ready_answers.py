"""GetIndicators answers from ready bytes kept per question, over a real socket with the service
on the real broker: a repeated question gets the same answer, a batch's commit replaces it
with the new figures (and their as_of), and bytes that are no question are refused."""

from __future__ import annotations

import grpc
import pytest

from campaign.metrics.v1 import metrics_pb2
from campaign_kit.grpc_errors import reason_of
from campaign_metrics.settings import MetricsSettings
from tests.metrics.conftest import TOKEN
from tests.metrics.test_service_over_kafka import caught_up, running
from tests.support.records import encode, portal_record

pytestmark = [pytest.mark.kafka,
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

GET = "/campaign.metrics.v1.MetricsService/GetIndicators"


def k2(answer: bytes) -> tuple[int, int, str]:
    values = metrics_pb2.GetIndicatorsResponse.FromString(answer).values
    cell = next(v for v in values if v.indicator == "K2")
    return cell.numerator, cell.denominator, cell.as_of


async def test_a_commit_replaces_the_ready_answer(settings: MetricsSettings) -> None:
    async with running(settings) as service:
        await service.bootstrap.wait_ready()
        question = metrics_pb2.GetIndicatorsRequest(subject_code="VP").SerializeToString()
        async with grpc.aio.insecure_channel(f"127.0.0.1:{service.grpc_port}") as channel:
            ask = channel.unary_unary(GET, None, None)  # bytes in and out, as clients send
            before = await ask(question)
            assert await ask(question) == before
            assert k2(before)[:2] == (0, 0)
            ingest = channel.stream_unary("/campaign.metrics.v1.MetricsService/Ingest", None, None)
            await ingest(iter([metrics_pb2.IngestRecord(records=[
                encode(portal_record("RA-1", unit="VP", procedure="GTVT.VP.01")),
                encode(portal_record("RA-2", unit="VP", procedure="GTVT.VP.01", channel=1)),
            ]).SerializeToString()]), metadata=[("authorization", f"Bearer {TOKEN}")])
            await caught_up(service)
            numerator, denominator, as_of = k2(await ask(question))
            assert (numerator, denominator) == (1, 2) and as_of > k2(before)[2]  # "" before
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await ask(b"\xff\xff\xff")
            assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
            assert reason_of(refused.value) == "bad_request"
