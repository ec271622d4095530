"""The kit's one way of refusing a call, over a real gRPC socket: the status code, the
Vietnamese message, and the English reason code both as google.rpc.ErrorInfo and as plain
trailing metadata."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_status import rpc_status

from campaign_kit.grpc_errors import DOMAIN, abort, reason_of


class RefusingHealth(health_pb2_grpc.HealthServicer):  # type: ignore[misc]
    async def Check(self, request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        await abort(context, grpc.StatusCode.NOT_FOUND, "unknown_unit",
                    f"Không có đơn vị mã '{request.service}' trong đợt thi đua.",
                    unit_code=request.service)


async def test_a_refusal_carries_code_vietnamese_message_and_reason() -> None:
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(RefusingHealth(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(service="XYZ"), timeout=5)
    finally:
        await server.stop(None)
    error = refused.value
    assert error.code() == grpc.StatusCode.NOT_FOUND
    assert error.details() == "Không có đơn vị mã 'XYZ' trong đợt thi đua."
    assert reason_of(error) == "unknown_unit"
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    assert status is not None
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert (info.reason, info.domain, dict(info.metadata)) == (
        "unknown_unit", DOMAIN, {"unit_code": "XYZ"})
    plain: dict[str, Any] = dict(error.trailing_metadata() or ())  # type: ignore[arg-type]
    assert plain["refusal-reason"] == "unknown_unit"
