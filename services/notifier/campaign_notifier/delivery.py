"""Sends pending deliveries with retries and records each outcome as an event.

A delivery is tried until it is taken or `max_attempts` is spent, pausing between attempts;
each outcome updates the delivery log and writes NotificationSent / NotificationFailed to the
outbox in one transaction.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import select, update

from campaign_contracts.events import NotificationFailed, NotificationSent
from campaign_kit.db import Database
from campaign_kit.outbox import OutboxRelay, add_to_outbox
from campaign_notifier import SERVICE
from campaign_notifier.mailer import SmtpMailer
from campaign_notifier.store import deliveries, outbox

log = logging.getLogger(__name__)


class DeliveryWorker:
    def __init__(
        self, db: Database, mailer: SmtpMailer, sender: str, relay: OutboxRelay,
        notifications_topic: str, registry: CollectorRegistry, max_attempts: int,
        retry_after: timedelta,
    ) -> None:
        self.db = db
        self.mailer = mailer
        self.sender = sender
        self.relay = relay
        self.topic = notifications_topic
        self.max_attempts = max_attempts
        self.retry_after = retry_after
        self.outcomes = Counter(
            "notifications_total", "Delivery attempts by outcome", ["channel", "outcome"],
            registry=registry,
        )
        self._lock = asyncio.Lock()

    async def deliver_due(self) -> None:
        """Send what is due (the hook run after each applied standing event)."""
        await self.flush()

    async def flush(self) -> int:
        """Try every delivery that is due; returns how many were sent."""
        sent = 0
        async with self._lock:
            with self.db.begin() as connection:
                due = connection.execute(
                    select(deliveries).where(
                        deliveries.c.status == "pending",
                        deliveries.c.next_attempt_at <= datetime.now(UTC),
                    ).order_by(deliveries.c.created_at)
                ).all()
            for row in due:
                sent += await self._attempt(row)
        await self.relay.flush()
        return sent

    async def _attempt(self, row: Any) -> int:
        attempts = row.attempts + 1
        try:
            await asyncio.to_thread(
                self.mailer.send, self.sender, row.recipient, row.subject, row.body,
                row.delivery_id,
            )
        except Exception as exc:  # SMTP refusal, connection or timeout: retried below
            error = f"{type(exc).__name__}: {exc}"
            final = attempts >= self.max_attempts
            self.outcomes.labels(row.channel, "failed" if final else "retry").inc()
            log.warning("delivery failed", extra={"delivery_id": row.delivery_id,
                                                  "attempts": attempts, "error": error})
            self._record(row, attempts, error, "failed" if final else "pending")
            return 0
        self.outcomes.labels(row.channel, "sent").inc()
        self._record(row, attempts, None, "sent")
        return 1

    def _record(self, row: Any, attempts: int, error: str | None, status: str) -> None:
        now = datetime.now(UTC)
        with self.db.begin() as connection:
            connection.execute(
                update(deliveries).where(deliveries.c.delivery_id == row.delivery_id).values(
                    status=status, attempts=attempts, last_error=error, updated_at=now,
                    next_attempt_at=now + self.retry_after,
                )
            )
            if status == "pending":
                return
            common = dict(
                producer=SERVICE, correlation_id=uuid.UUID(row.correlation_id),
                causation_id=uuid.UUID(row.cause_event_id),
                delivery_id=uuid.UUID(row.delivery_id), rule=row.rule, unit_code=row.unit_code,
                channel=row.channel, recipient=row.recipient, subject=row.subject,
                attempts=attempts,
            )
            event = (NotificationSent(**common) if status == "sent"
                     else NotificationFailed(**common, error=error or ""))
            add_to_outbox(connection, outbox, self.topic, row.unit_code, event)

    async def run_retries(self, every_s: float) -> None:
        """Background loop: retry what failed before, once it is due."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.flush()
            except Exception:
                log.exception("delivery flush failed")
