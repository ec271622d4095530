"""One way for every service to refuse a call (docs/api.md): a gRPC status, a Vietnamese
message for people, and a stable English reason code for programs — as `google.rpc.ErrorInfo`
in the rich status details (`grpc-status-details-bin`) and as plain `refusal-reason` trailing
metadata for clients that do not decode details.

    await abort(context, grpc.StatusCode.NOT_FOUND, "unknown_nominee",
                "Không có đơn vị hay cá nhân mã 'X'.", nominee="X")
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, NoReturn, Protocol, TypeVar

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

DOMAIN = "campaign.lsdot.vn"
REASON_KEY = "refusal-reason"


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


class DomainRefusal(Protocol):
    """What a service's domain raises to refuse: a kind (mapped to a status), a stable reason
    code and a Vietnamese message."""

    kind: Any
    reason: str
    message: str


Req = TypeVar("Req")
Resp = TypeVar("Resp")
Servicer = TypeVar("Servicer")
Method = Callable[[Servicer, Req, Any], Awaitable[Resp]]


def answers_refusals(
    refusal_type: type[BaseException], status: Mapping[Any, grpc.StatusCode],
) -> Callable[[Method[Servicer, Req, Resp]], Method[Servicer, Req, Resp]]:
    """A decorator for servicer methods: the domain's refusal raised inside ends the call with
    the status of its kind, its message and its reason code, by `abort`."""

    def decorate(method: Method[Servicer, Req, Resp]) -> Method[Servicer, Req, Resp]:
        @functools.wraps(method)
        async def wrapper(self: Servicer, request: Req, context: Any) -> Resp:
            try:
                return await method(self, request, context)
            except refusal_type as refused:
                refusal: DomainRefusal = refused  # type: ignore[assignment]
                await abort(context, status[refusal.kind], refusal.reason, refusal.message)
        return wrapper

    return decorate
