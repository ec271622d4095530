"""gRPC API of the notifier service (campaign.notifier.v1): the delivery log."""

from __future__ import annotations

from typing import Any

import grpc
from sqlalchemy import select

from campaign.notifier.v1 import notifier_pb2, notifier_pb2_grpc
from campaign_kit.db import Database, as_utc
from campaign_notifier.store import deliveries


class NotifierServicer(notifier_pb2_grpc.NotifierServiceServicer):
    def __init__(self, db: Database) -> None:
        self.db = db

    async def ListDeliveries(
        self, request: notifier_pb2.ListDeliveriesRequest,
        context: grpc.aio.ServicerContext[Any, Any],
    ) -> notifier_pb2.ListDeliveriesResponse:
        query = select(deliveries).order_by(deliveries.c.created_at)
        if request.unit_code:
            query = query.where(deliveries.c.unit_code == request.unit_code)
        with self.db.begin() as connection:
            rows = connection.execute(query).all()
        return notifier_pb2.ListDeliveriesResponse(deliveries=[
            notifier_pb2.Delivery(
                delivery_id=r.delivery_id, rule=r.rule, unit_code=r.unit_code,
                channel=r.channel, recipient=r.recipient, subject=r.subject, status=r.status,
                attempts=r.attempts, last_error=r.last_error or "",
                cause_event_id=r.cause_event_id, updated_at=as_utc(r.updated_at).isoformat(),
            )
            for r in rows
        ])
