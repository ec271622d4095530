"""The four services as the workspace reaches them: gRPC only, each call carrying the signed
identity of the person at the screen, each failure turned into a sentence for that person."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from campaign.awards.v1 import awards_pb2_grpc
from campaign.dossiers.v1 import dossiers_pb2_grpc
from campaign.metrics.v1 import metrics_pb2_grpc
from campaign.notifier.v1 import notifier_pb2_grpc
from campaign_kit.identity import Caller, IdentitySigner

SERVICE_NAMES = {
    "metrics": "Dịch vụ chỉ số", "dossiers": "Dịch vụ hồ sơ khen thưởng",
    "awards": "Dịch vụ xếp hạng và khen thưởng", "notifier": "Dịch vụ thông báo",
}

GRPC_SERVICES = {
    "metrics": "campaign.metrics.v1.MetricsService", "dossiers":
    "campaign.dossiers.v1.DossiersService", "awards": "campaign.awards.v1.AwardsService",
    "notifier": "campaign.notifier.v1.NotifierService",
}

# What a person reads when a service answers with a status and no Vietnamese message of its own.
STATUS_TEXT = {
    grpc.StatusCode.UNAVAILABLE: "tạm thời không truy cập được, vui lòng thử lại sau ít phút",
    grpc.StatusCode.DEADLINE_EXCEEDED: "không trả lời kịp, vui lòng thử lại",
    grpc.StatusCode.UNIMPLEMENTED: "chưa có dữ liệu (chức năng này chưa được triển khai)",
    grpc.StatusCode.PERMISSION_DENIED: "không cho phép thao tác này với vai trò của bạn",
    grpc.StatusCode.UNAUTHENTICATED: "không xác nhận được người dùng, vui lòng đăng nhập lại",
    grpc.StatusCode.NOT_FOUND: "không tìm thấy dữ liệu yêu cầu",
}


class ServiceError(Exception):
    """A service refused or failed a call; `message` is for the person, `reason` for code."""

    def __init__(self, service: str, code: grpc.StatusCode, message: str, reason: str) -> None:
        super().__init__(message)
        self.service = service
        self.code = code
        self.message = message
        self.reason = reason

    @property
    def unimplemented(self) -> bool:
        return self.code is grpc.StatusCode.UNIMPLEMENTED

    @property
    def http_status(self) -> int:
        return {grpc.StatusCode.PERMISSION_DENIED: 403, grpc.StatusCode.NOT_FOUND: 404,
                grpc.StatusCode.UNAUTHENTICATED: 401, grpc.StatusCode.INVALID_ARGUMENT: 400,
                grpc.StatusCode.FAILED_PRECONDITION: 409, grpc.StatusCode.ABORTED: 409,
                grpc.StatusCode.ALREADY_EXISTS: 409, grpc.StatusCode.UNAVAILABLE: 503,
                grpc.StatusCode.UNIMPLEMENTED: 501}.get(self.code, 502)


def _has_vietnamese_letters(text: str) -> bool:
    return any(ord(c) > 127 for c in text)


async def service_error(service: str, error: grpc.aio.AioRpcError) -> ServiceError:
    code = error.code()
    details = error.details() or ""
    reason = ""
    trailing: Any = error.trailing_metadata() or ()
    for key, value in trailing:
        if key == "refusal-reason":
            reason = value if isinstance(value, str) else value.decode("utf-8", "replace")
    name = SERVICE_NAMES.get(service, service)
    if details and (_has_vietnamese_letters(details) or code not in STATUS_TEXT):
        message = details
    else:
        message = f"{name} {STATUS_TEXT.get(code, 'gặp lỗi khi xử lý yêu cầu')}."
    return ServiceError(service, code, message, reason or code.name.lower())


@dataclass
class Services:
    """One channel per service for the workspace's whole life; stubs are cheap views on it."""

    signer: IdentitySigner
    addresses: dict[str, str]
    timeout_s: float = 15.0
    identity_ttl_s: int = 300

    def open(self) -> None:
        """Opens the channels; called on the server's event loop, which grpc.aio binds to."""
        self.channels = {name: grpc.aio.insecure_channel(address)
                         for name, address in self.addresses.items()}
        self.metrics: Any = metrics_pb2_grpc.MetricsServiceStub(  # type: ignore[no-untyped-call]
            self.channels["metrics"])
        self.dossiers: Any = dossiers_pb2_grpc.DossiersServiceStub(  # type: ignore[no-untyped-call]
            self.channels["dossiers"])
        self.awards: Any = awards_pb2_grpc.AwardsServiceStub(  # type: ignore[no-untyped-call]
            self.channels["awards"])
        self.notifier: Any = notifier_pb2_grpc.NotifierServiceStub(  # type: ignore[no-untyped-call]
            self.channels["notifier"])

    def metadata(self, caller: Caller) -> tuple[tuple[str, str], ...]:
        token = self.signer.issue(caller, ttl_s=self.identity_ttl_s)
        return (("authorization", f"Bearer {token}"),)

    async def call(self, caller: Caller, service: str, method: str, request: Any) -> Any:
        """One unary call as `caller`; a failure raises ServiceError."""
        rpc: Callable[..., Awaitable[Any]] = getattr(getattr(self, service), method)
        try:
            return await rpc(request, metadata=self.metadata(caller), timeout=self.timeout_s)
        except grpc.aio.AioRpcError as error:
            raise await service_error(service, error) from None

    async def call_streaming_in(self, caller: Caller, service: str, method: str,
                                requests: AsyncIterator[Any]) -> Any:
        rpc = getattr(getattr(self, service), method)
        try:
            return await rpc(requests, metadata=self.metadata(caller), timeout=self.timeout_s * 4)
        except grpc.aio.AioRpcError as error:
            raise await service_error(service, error) from None

    async def call_streaming_out(self, caller: Caller, service: str, method: str,
                                 request: Any) -> list[Any]:
        rpc = getattr(getattr(self, service), method)
        try:
            return [part async for part in rpc(request, metadata=self.metadata(caller),
                                               timeout=self.timeout_s * 4)]
        except grpc.aio.AioRpcError as error:
            raise await service_error(service, error) from None

    async def health(self, service: str, check: str = "") -> str:
        """SERVING, NOT_SERVING, or why the check could not be made; `check` names the health
        status asked for (the service's own by default)."""
        stub = health_pb2_grpc.HealthStub(self.channels[service])
        try:
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=check), timeout=3.0)
        except grpc.aio.AioRpcError as error:
            return error.code().name
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

    async def caught_up(self, service: str) -> str:
        """SERVING once the service has applied every record it reads (docs/api.md)."""
        return await self.health(service, f"{GRPC_SERVICES[service]}/caught-up")

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close(None)
