"""gRPC API of the notifier service (campaign.notifier.v1): the delivery log with filters and
paging, and Resend for the operators. Refusals carry a status, a Vietnamese message and a
stable reason code (trailing metadata `refusal-reason`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, NoReturn

import grpc
from sqlalchemy import select, update

from campaign.notifier.v1 import notifier_pb2, notifier_pb2_grpc
from campaign_contracts.campaign_file import Campaign
from campaign_kit.api_values import BadPage, next_page_token, page_offset, page_size, rfc3339
from campaign_kit.db import Database
from campaign_kit.grpc_errors import abort
from campaign_kit.identity import Authenticator, Unauthenticated
from campaign_notifier.clock import Clock
from campaign_notifier.domain.access import Reader, Refused, check_resend, unit_filter
from campaign_notifier.store import attempts, deliveries

Context = grpc.aio.ServicerContext[Any, Any]
STATUSES = ("pending", "sent", "dead")


async def refuse(context: Context, status: str, reason: str, message: str) -> NoReturn:
    await abort(context, getattr(grpc.StatusCode, status), reason, message)


def _time(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Refused("INVALID_ARGUMENT", f"bad_{name}",
                      f"'{name}' phải là thời điểm RFC 3339, ví dụ 2024-07-01T00:00:00+07:00."
                      ) from None
    if moment.tzinfo is None:
        raise Refused("INVALID_ARGUMENT", f"bad_{name}",
                      f"'{name}' cần có múi giờ, ví dụ 2024-07-01T00:00:00+07:00.")
    return moment


def _page(request: notifier_pb2.ListDeliveriesRequest) -> tuple[int, int]:
    try:
        return page_size(request.page_size), page_offset(request.page_token)
    except BadPage as bad:
        raise Refused("INVALID_ARGUMENT", bad.reason, bad.message) from None


class NotifierServicer(notifier_pb2_grpc.NotifierServiceServicer):
    def __init__(self, db: Database, campaign: Campaign, authenticator: Authenticator,
                 wall: Clock, after_resend: Callable[[], Awaitable[object]] | None = None
                 ) -> None:
        self.db = db
        self.campaign = campaign
        self.authenticator = authenticator
        self.wall = wall
        self.after_resend = after_resend
        self.rules = {entry.rule for entry in campaign.notifications.rules}

    def _reader(self, context: Context) -> Reader:
        try:
            caller = self.authenticator.authenticate(context.invocation_metadata())
        except Unauthenticated as exc:
            raise Refused("UNAUTHENTICATED", exc.reason, exc.message) from None
        return Reader(caller.role, caller.unit_code)

    def _delivery(self, row: Any, log: list[Any]) -> notifier_pb2.Delivery:
        unit = self.campaign.unit(row.unit_code)
        return notifier_pb2.Delivery(
            delivery_id=row.delivery_id, rule=row.rule, unit_code=row.unit_code,
            channel=row.channel, recipient=row.recipient, subject=row.subject,
            status=row.status, attempts=row.attempts, last_error=row.last_error or "",
            cause_event_id=row.cause_event_id, updated_at=rfc3339(row.updated_at),
            idempotency_key=row.idempotency_key,
            unit_name=unit.name if unit else ("Tổ vận hành" if not row.unit_code else ""),
            created_at=rfc3339(row.created_at),
            next_attempt_at=rfc3339(row.next_attempt_at) if row.status == "pending" else "",
            attempt_log=[notifier_pb2.Attempt(
                number=a.number, started_at=rfc3339(a.started_at),
                finished_at=rfc3339(a.finished_at),
                outcome=a.outcome or "", error=a.error or "") for a in log],
        )

    def _attempts(self, ids: list[str]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {i: [] for i in ids}
        if not ids:
            return found
        with self.db.begin() as connection:
            for row in connection.execute(select(attempts).where(
                    attempts.c.delivery_id.in_(ids)).order_by(attempts.c.number)):
                found[row.delivery_id].append(row)
        return found

    async def ListDeliveries(
        self, request: notifier_pb2.ListDeliveriesRequest, context: Context,
    ) -> notifier_pb2.ListDeliveriesResponse:
        try:
            reader = self._reader(context)
            unit_code = unit_filter(reader, request.unit_code)
            since, until = _time(request.since, "since"), _time(request.until, "until")
            size, offset = _page(request)
            if request.status and request.status not in STATUSES:
                raise Refused("INVALID_ARGUMENT", "bad_status",
                              f"status phải là một trong: {', '.join(STATUSES)}.")
            if request.unit_code and self.campaign.unit(request.unit_code) is None:
                raise Refused("NOT_FOUND", "unknown_unit",
                              f"Không có đơn vị mã '{request.unit_code}' trong đợt thi đua.")
            if request.rule and request.rule not in self.rules:
                raise Refused("NOT_FOUND", "unknown_rule",
                              f"Đợt thi đua không có quy tắc thông báo '{request.rule}'; có: "
                              f"{', '.join(sorted(self.rules))}.")
        except Refused as refusal:
            await refuse(context, refusal.status, refusal.reason, refusal.message)
        query = select(deliveries)
        if unit_code:
            query = query.where(deliveries.c.unit_code == unit_code)
        if request.rule:
            query = query.where(deliveries.c.rule == request.rule)
        if request.status:
            query = query.where(deliveries.c.status == request.status)
        if since is not None:
            query = query.where(deliveries.c.created_at >= since)
        if until is not None:
            query = query.where(deliveries.c.created_at < until)
        query = query.order_by(deliveries.c.created_at, deliveries.c.notice_id,
                               deliveries.c.delivery_id)
        with self.db.begin() as connection:
            rows = connection.execute(query.offset(offset).limit(size + 1)).all()
        more = len(rows) > size
        rows = rows[:size]
        log = self._attempts([r.delivery_id for r in rows])
        token = next_page_token(offset + size) if more else ""
        return notifier_pb2.ListDeliveriesResponse(
            deliveries=[self._delivery(r, log[r.delivery_id]) for r in rows],
            next_page_token=token)

    async def Resend(self, request: notifier_pb2.ResendRequest, context: Context
                     ) -> notifier_pb2.Delivery:
        try:
            check_resend(self._reader(context))
            if not request.delivery_id:
                raise Refused("INVALID_ARGUMENT", "missing_delivery_id", "Thiếu delivery_id.")
        except Refused as refusal:
            await refuse(context, refusal.status, refusal.reason, refusal.message)
        now = self.wall.now()
        with self.db.begin() as connection:
            row = connection.execute(select(deliveries).where(
                deliveries.c.delivery_id == request.delivery_id)).first()
            if row is None:
                await refuse(context, "NOT_FOUND", "unknown_delivery",
                             f"Không có thông báo mã '{request.delivery_id}'.")
            # The same delivery and idempotency key again: a receiver that got it drops it.
            connection.execute(update(deliveries).where(
                deliveries.c.delivery_id == request.delivery_id).values(
                status="pending", next_attempt_at=now, updated_at=now))
        if self.after_resend is not None:
            await self.after_resend()
        with self.db.begin() as connection:
            row = connection.execute(select(deliveries).where(
                deliveries.c.delivery_id == request.delivery_id)).one()
        return self._delivery(row, self._attempts([row.delivery_id])[row.delivery_id])
