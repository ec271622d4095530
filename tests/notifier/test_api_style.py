"""The delivery log keeps the one API style of docs/api.md over a real gRPC socket: times RFC
3339 with the offset (SQLite gives them back without one), page sizes validated (negative or
above 500 refused, not quietly changed), unknown units, rules and deliveries NOT_FOUND, every
refusal in Vietnamese with its reason code in the status details."""

from __future__ import annotations

import grpc

from campaign.notifier.v1 import notifier_pb2 as pb
from campaign.notifier.v1 import notifier_pb2_grpc
from tests.notifier.harness import Harness
from tests.notifier.test_api_and_cli import OPERATOR, served
from tests.support.api_style import assert_api_style, refused

__all__ = ["served"]  # the fixture
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND


async def test_answers_and_refusals_keep_the_api_style(served: tuple[Harness, str]) -> None:
    _h, target = served
    async with grpc.aio.insecure_channel(target) as channel:
        stub = notifier_pb2_grpc.NotifierServiceStub(channel)
        listed = await stub.ListDeliveries(pb.ListDeliveriesRequest(), metadata=OPERATOR)
        assert len(listed.deliveries) == 3
        resent = await stub.Resend(pb.ResendRequest(
            delivery_id=listed.deliveries[0].delivery_id), metadata=OPERATOR)
        assert_api_style(listed, resent)
        first = listed.deliveries[0]
        assert first.created_at and first.updated_at and first.attempt_log[0].finished_at

        for size in (-1, 501, 1000):
            message = await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(
                page_size=size), INVALID, "bad_page_size", metadata=OPERATOR)
            assert "500" in message
        full = await stub.ListDeliveries(pb.ListDeliveriesRequest(page_size=500),
                                         metadata=OPERATOR)
        assert len(full.deliveries) == 3  # the largest page is allowed
        await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(page_token="%%%"),
                      INVALID, "bad_page_token", metadata=OPERATOR)
        await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(since="hôm qua"),
                      INVALID, "bad_since", metadata=OPERATOR)
        await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(
            until="2025-01-16T00:00:00"), INVALID, "bad_until", metadata=OPERATOR)
        await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(status="failed"),
                      INVALID, "bad_status", metadata=OPERATOR)
        await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(unit_code="NGOAI"),
                      NOT_FOUND, "unknown_unit", metadata=OPERATOR)
        await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(rule="no_such_rule"),
                      NOT_FOUND, "unknown_rule", metadata=OPERATOR)
        await refused(stub.Resend, pb.ResendRequest(delivery_id="không-có"), NOT_FOUND,
                      "unknown_delivery", metadata=OPERATOR)
        await refused(stub.ListDeliveries, pb.ListDeliveriesRequest(),
                      grpc.StatusCode.UNAUTHENTICATED, "no_token")
        # A configured rule with nothing sent yet is an answer, not an error.
        assert not (await stub.ListDeliveries(pb.ListDeliveriesRequest(
            rule="decided", status="dead"), metadata=OPERATOR)).deliveries
