"""The notifier's command line for people: the delivery log and resending.

    python -m campaign_notifier deliveries --unit QLVT --status dead --since 2024-12-01
    python -m campaign_notifier resend 3f0c…  (operators and the Office)

It calls the service over gRPC (NOTIFIER_TARGET, default 127.0.0.1:50054) with the token in
NOTIFIER_TOKEN or --token. Headers in Vietnamese, unit names beside codes, times in the
campaign's time zone; a refusal or an unreachable service is one readable line and exit 1.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import grpc

from campaign.notifier.v1 import notifier_pb2, notifier_pb2_grpc
from campaign_kit.api_values import MAX_PAGE_SIZE

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
RULES = {"digest": "Bản tin định kỳ", "target_settled": "Đạt / không còn đạt chỉ tiêu",
         "at_risk": "Cảnh báo nguy cơ", "dossier_status": "Hồ sơ khen thưởng",
         "deadline": "Nhắc hạn nộp hồ sơ", "decided": "Quyết định khen thưởng",
         "silent": "Nguồn dữ liệu im lặng"}
STATUSES = {"pending": "Chờ gửi", "sent": "Đã gửi", "dead": "Thất bại"}
OUTCOMES = {"accepted": "được nhận", "failed": "lỗi"}
EXAMPLES = """ví dụ:
  python -m campaign_notifier deliveries --unit QLVT --since 2024-12-01
  python -m campaign_notifier deliveries --status dead --attempts
  python -m campaign_notifier resend 6b1f0a52-8a3e-5d3c-9a4e-2f1d7c0b9e11"""


class CliError(Exception):
    """One line for the person at the terminal."""


def _moment(text: str, option: str) -> str:
    """A day (YYYY-MM-DD, local midnight) or an RFC 3339 time, as RFC 3339."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d").date()
            return datetime.combine(day, time(), VIETNAM).isoformat()
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option} phải là ngày YYYY-MM-DD hoặc thời điểm RFC 3339, "
                       f"ví dụ 2024-12-01 (nhận được: {text!r})") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)).isoformat()


def _local(text: str) -> str:
    if not text:
        return ""
    return f"{datetime.fromisoformat(text).astimezone(VIETNAM):%d/%m/%Y %H:%M}"


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _unit(d: notifier_pb2.Delivery) -> str:
    if not d.unit_code:
        return d.unit_name or "Tổ vận hành"
    return f"{d.unit_code} – {d.unit_name}" if d.unit_name else d.unit_code


def _print_deliveries(items: Sequence[notifier_pb2.Delivery], attempts: bool) -> None:
    header = ("Tạo lúc", "Đơn vị", "Loại thông báo", "Kênh", "Người nhận", "Trạng thái",
              "Số lần gửi", "Tiêu đề")
    table = [header] + [
        (_local(d.created_at), _unit(d), RULES.get(d.rule, d.rule),
         "E-mail" if d.channel == "email" else "Webhook", d.recipient,
         STATUSES.get(d.status, d.status), _number(d.attempts), d.subject)
        for d in items
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header) - 1)]
    for number, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
              + "  " + row[-1])
        if number == 0 or not attempts:
            continue
        delivery = items[number - 1]
        print(f"    mã: {delivery.delivery_id}  khóa: {delivery.idempotency_key}")
        for a in delivery.attempt_log:
            outcome = OUTCOMES.get(a.outcome, "bị ngắt giữa chừng")
            error = f" – {a.error}" if a.error else ""
            print(f"    lần {a.number}: {_local(a.started_at)} {outcome}{error}")


def _stub(args: argparse.Namespace) -> tuple[grpc.Channel, notifier_pb2_grpc.NotifierServiceStub,
                                             tuple[tuple[str, str], ...]]:
    token = args.token or os.environ.get("NOTIFIER_TOKEN", "")
    if not token:
        raise CliError("thiếu mã truy cập: đặt NOTIFIER_TOKEN hoặc dùng --token")
    channel = grpc.insecure_channel(args.target)
    stub = notifier_pb2_grpc.NotifierServiceStub(channel)  # type: ignore[no-untyped-call]
    return channel, stub, (("authorization", f"Bearer {token}"),)


def _refusal(exc: grpc.RpcError, target: str) -> CliError:
    code = exc.code()  # type: ignore[attr-defined]
    if code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
        return CliError(f"không kết nối được dịch vụ thông báo tại {target} "
                        "(kiểm tra NOTIFIER_TARGET và dịch vụ đã chạy chưa)")
    trailing: Any = exc.trailing_metadata() or ()  # type: ignore[attr-defined]
    reason = next((str(item[1]) for item in trailing if item[0] == "refusal-reason"), code.name)
    return CliError(f"{exc.details()} ({reason})")  # type: ignore[attr-defined]


def deliveries(args: argparse.Namespace) -> int:
    request = notifier_pb2.ListDeliveriesRequest(
        unit_code=args.unit or "", rule=args.rule or "", status=args.status or "",
        since=_moment(args.since, "--since") if args.since else "",
        until=_moment(args.until, "--until") if args.until else "",
        page_size=min(args.limit, MAX_PAGE_SIZE))
    channel, stub, metadata = _stub(args)
    found: list[notifier_pb2.Delivery] = []
    with channel:
        try:
            while len(found) < args.limit:
                reply = stub.ListDeliveries(request, metadata=metadata, timeout=10)
                found.extend(reply.deliveries)
                if not reply.next_page_token:
                    break
                request.page_token = reply.next_page_token
        except grpc.RpcError as exc:
            raise _refusal(exc, args.target) from None
    found = found[:args.limit]
    if not found:
        print("Không có thông báo nào khớp bộ lọc (thử bỏ bớt --unit, --status, --since).")
        return 0
    _print_deliveries(found, args.attempts)
    print(f"\n{_number(len(found))} thông báo.")
    return 0


def resend(args: argparse.Namespace) -> int:
    channel, stub, metadata = _stub(args)
    with channel:
        try:
            delivery = stub.Resend(notifier_pb2.ResendRequest(delivery_id=args.delivery_id),
                                   metadata=metadata, timeout=30)
        except grpc.RpcError as exc:
            raise _refusal(exc, args.target) from None
    print(f"Đã gửi lại ({STATUSES.get(delivery.status, delivery.status)}, lần thứ "
          f"{_number(delivery.attempts)}): {delivery.recipient} – {delivery.subject}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m campaign_notifier", description="Nhật ký gửi thông báo và gửi lại.",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", default=os.environ.get("NOTIFIER_TARGET", "127.0.0.1:50054"),
                        help="địa chỉ gRPC của dịch vụ thông báo (mặc định 127.0.0.1:50054)")
    parser.add_argument("--token", help="mã truy cập (mặc định: biến môi trường NOTIFIER_TOKEN)")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("deliveries", help="xem nhật ký gửi thông báo",
                                  epilog=EXAMPLES,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    listing.add_argument("--unit", help="mã đơn vị, ví dụ QLVT")
    listing.add_argument("--rule", choices=sorted(RULES), help="loại thông báo, ví dụ digest")
    listing.add_argument("--status", choices=sorted(STATUSES),
                         help="pending (chờ gửi), sent (đã gửi) hoặc dead (thất bại)")
    listing.add_argument("--since", help="từ ngày, ví dụ 2024-12-01")
    listing.add_argument("--until", help="đến trước ngày, ví dụ 2025-01-01")
    listing.add_argument("--limit", type=int, default=200, help="tối đa bao nhiêu dòng (200)")
    listing.add_argument("--attempts", action="store_true", help="hiện từng lần gửi")
    again = commands.add_parser("resend", help="gửi lại một thông báo (tổ vận hành, Văn phòng)")
    again.add_argument("delivery_id", help="mã thông báo (cột mã khi xem với --attempts)")
    args = parser.parse_args(argv)
    try:
        return deliveries(args) if args.command == "deliveries" else resend(args)
    except CliError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 1
