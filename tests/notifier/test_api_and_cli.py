"""The delivery log over real gRPC (a socket) and the command line people use: filters,
paging, who sees what, Resend for operators with the same Message-ID, clear refusals."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import grpc
import pytest

from campaign.notifier.v1 import notifier_pb2, notifier_pb2_grpc
from devkit.infra import ROOT
from devkit.smtp import SmtpServer
from tests.notifier import builders as b
from tests.notifier.harness import Harness, build_harness

OPERATOR = (("authorization", "Bearer operator-token-0123456789"),)
QLVT_UNIT = (("authorization", "Bearer qlvt-token-0123456789ab"),)


@pytest.fixture
async def served(tmp_path: Path, smtp: SmtpServer) -> AsyncIterator[tuple[Harness, str]]:
    campaign = b.campaign(("decided",), quiet_hours=None)
    h = build_harness(f"sqlite:///{tmp_path / 'n.db'}", campaign, smtp,
                      "2025-01-15T09:00:00+07:00")
    server = grpc.aio.server()
    notifier_pb2_grpc.add_NotifierServiceServicer_to_server(h.notifier.servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    h.publish(b.decided("QLVT", "1/QĐ-SGTVT"), b.decided("VP", "2/QĐ-SGTVT"),
              b.decided("QLVT", "3/QĐ-SGTVT"))
    await h.advance(seconds=1)
    try:
        yield h, f"127.0.0.1:{port}"
    finally:
        await server.stop(None)


async def call(target: str, method: str, request: object,
               metadata: tuple[tuple[str, str], ...] = OPERATOR) -> object:
    async with grpc.aio.insecure_channel(target) as channel:
        stub = notifier_pb2_grpc.NotifierServiceStub(channel)
        return await getattr(stub, method)(request, metadata=metadata)


async def refusal(target: str, method: str, request: object,
                  metadata: tuple[tuple[str, str], ...]) -> tuple[grpc.StatusCode, str, str]:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(target, method, request, metadata)
    trailing: dict[str, object] = dict(caught.value.trailing_metadata() or ())  # type: ignore[arg-type]
    return caught.value.code(), str(trailing.get("refusal-reason")), caught.value.details() or ""


async def test_filters_paging_and_each_unit_seeing_only_its_own(
    served: tuple[Harness, str],
) -> None:
    _h, target = served
    every = await call(target, "ListDeliveries", notifier_pb2.ListDeliveriesRequest())
    assert len(every.deliveries) == 3  # type: ignore[attr-defined]
    first = await call(target, "ListDeliveries", notifier_pb2.ListDeliveriesRequest(
        status="sent", page_size=2))
    second = await call(target, "ListDeliveries", notifier_pb2.ListDeliveriesRequest(
        status="sent", page_size=2, page_token=first.next_page_token))  # type: ignore[attr-defined]
    pages = [*first.deliveries, *second.deliveries]  # type: ignore[attr-defined]
    assert [d.subject.split()[7] for d in pages] == ["1/QĐ-SGTVT", "2/QĐ-SGTVT", "3/QĐ-SGTVT"]
    assert second.next_page_token == ""  # type: ignore[attr-defined]
    mine = await call(target, "ListDeliveries", notifier_pb2.ListDeliveriesRequest(),
                      QLVT_UNIT)
    assert {d.unit_code for d in mine.deliveries} == {"QLVT"}  # type: ignore[attr-defined]
    (delivery, _) = mine.deliveries  # type: ignore[attr-defined]
    assert delivery.unit_name == "Phòng Quản lý vận tải, phương tiện và người lái"
    assert [(a.number, a.outcome) for a in delivery.attempt_log] == [(1, "accepted")]
    none = await call(target, "ListDeliveries", notifier_pb2.ListDeliveriesRequest(
        since="2025-01-16T00:00:00+07:00"))
    assert list(none.deliveries) == []  # type: ignore[attr-defined]
    assert await refusal(target, "ListDeliveries",
                         notifier_pb2.ListDeliveriesRequest(unit_code="VP"), QLVT_UNIT) == (
        grpc.StatusCode.PERMISSION_DENIED, "other_unit",
        "Đơn vị chỉ được xem thông báo gửi cho đơn vị mình.")
    code, reason, _ = await refusal(target, "ListDeliveries",
                                    notifier_pb2.ListDeliveriesRequest(since="hôm qua"), OPERATOR)
    assert (code, reason) == (grpc.StatusCode.INVALID_ARGUMENT, "bad_since")
    code, reason, _ = await refusal(target, "ListDeliveries",
                                    notifier_pb2.ListDeliveriesRequest(), ())
    assert (code, reason) == (grpc.StatusCode.UNAUTHENTICATED, "no_token")


async def test_operators_resend_with_the_same_message_id(served: tuple[Harness, str]) -> None:
    h, target = served
    listed = await call(target, "ListDeliveries", notifier_pb2.ListDeliveriesRequest(
        unit_code="VP"))
    (delivery,) = listed.deliveries  # type: ignore[attr-defined]
    code, reason, _ = await refusal(target, "Resend", notifier_pb2.ResendRequest(
        delivery_id=delivery.delivery_id), QLVT_UNIT)
    assert (code, reason) == (grpc.StatusCode.PERMISSION_DENIED, "role_not_allowed")
    again = await call(target, "Resend", notifier_pb2.ResendRequest(
        delivery_id=delivery.delivery_id))
    assert (again.status, again.attempts) == ("sent", 2)  # type: ignore[attr-defined]
    vp = [m for m in h.mails() if "vanphong@" in str(m["To"])]
    assert len(vp) == 2 and vp[0]["Message-ID"] == vp[1]["Message-ID"]
    code, reason, _ = await refusal(target, "Resend", notifier_pb2.ResendRequest(
        delivery_id="no-such-id"), OPERATOR)
    assert (code, reason) == (grpc.StatusCode.NOT_FOUND, "unknown_delivery")


async def cli(*args: str, token: str = "operator-token-0123456789") -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "campaign_notifier", *args, cwd=ROOT,
        env={**os.environ, "NOTIFIER_TOKEN": token},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await process.communicate()
    return process.returncode or 0, out.decode("utf-8"), err.decode("utf-8")


async def test_the_command_line_speaks_vietnamese_and_fails_in_one_line(
    served: tuple[Harness, str],
) -> None:
    _h, target = served
    code, out, _ = await cli("--target", target, "deliveries", "--unit", "QLVT", "--attempts")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Tạo", "lúc", "Đơn"]
    assert "QLVT – Phòng Quản lý vận tải, phương tiện và người lái" in lines[1]
    assert "Quyết định khen thưởng" in lines[1] and "Đã gửi" in lines[1]
    assert "15/01/2025 09:00" in lines[1]
    assert "lần 1: 15/01/2025 09:00 được nhận" in out
    assert lines[-1] == "2 thông báo."
    code, out, err = await cli("--target", target, "deliveries", "--unit", "XYZ")
    assert code == 1 and out == ""
    assert err.strip() == "Lỗi: Không có đơn vị mã 'XYZ' trong đợt thi đua. (unknown_unit)"
    code, _, err = await cli("--target", target, "deliveries", "--since", "tuần trước")
    assert code == 1 and len(err.strip().splitlines()) == 1 and "--since" in err
    code, out, _ = await cli("--target", target, "deliveries", "--status", "dead")
    assert code == 0 and out.startswith("Không có thông báo nào khớp bộ lọc")
    code, _, err = await cli("--target", target, "resend", "x", token="qlvt-token-0123456789ab")
    assert code == 1 and "(role_not_allowed)" in err
    code, _, err = await cli("--target", "127.0.0.1:1", "deliveries")
    assert code == 1 and "không kết nối được dịch vụ thông báo" in err
