"""One way for every service to refuse a call (docs/api.md): a gRPC status, a Vietnamese
message for people, and a stable English reason code for programs — as `google.rpc.ErrorInfo`
in the rich status details (`grpc-status-details-bin`) and as plain `error-reason` trailing
metadata for clients that do not decode details.

    await abort(context, grpc.StatusCode.NOT_FOUND, "unknown_nominee",
                "Không có đơn vị hay cá nhân mã 'X'.", nominee="X")
"""

from __future__ import annotations

from typing import Any, NoReturn

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

DOMAIN = "campaign.lsdot.vn"
REASON_KEY = "error-reason"


def status_of(code: grpc.StatusCode, reason: str, message: str,
              **metadata: str) -> grpc.Status:
    """The rich status: code, message, and an ErrorInfo detail with the reason code."""
    info = error_details_pb2.ErrorInfo(reason=reason, domain=DOMAIN, metadata=metadata)
    detail = any_pb2.Any()
    detail.Pack(info)
    status = status_pb2.Status(code=code.value[0], message=message, details=[detail])
    converted: grpc.Status = rpc_status.to_status(status)
    return converted


async def abort(context: grpc.aio.ServicerContext[object, object], code: grpc.StatusCode,
                reason: str, message: str, **metadata: str) -> NoReturn:
    """End the call with `code`, the Vietnamese `message` and the reason code."""
    status = status_of(code, reason, message, **metadata)
    await context.abort(
        code, message,
        trailing_metadata=(*status.trailing_metadata, (REASON_KEY, reason)),
    )


def reason_of(error: grpc.RpcError) -> str | None:
    """The reason code of a refused call, for clients and tests."""
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    if status is not None:
        for detail in status.details:
            info = error_details_pb2.ErrorInfo()
            if detail.Unpack(info):
                return str(info.reason)
    metadata: Any = error.trailing_metadata() or ()  # type: ignore[attr-defined]
    return next((str(value) for key, value in metadata if key == REASON_KEY), None)
