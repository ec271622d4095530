"""Sends due deliveries, one at a time, and keeps the delivery log.

Exactly once per idempotency key: each attempt is written to the log before the channel is
called; the moment the relay or receiver accepts the message the delivery is marked sent (see
channels/__init__.py); only then is the session closed. A crash between acceptance and that
write leaves the delivery pending, and its resend carries the same Message-ID / delivery
header, so the receiving side drops it. Failures are retried with exponential backoff and
jitter; after the last attempt the delivery is dead: NotificationFailed on the deliveries
topic (the dead-letter record, with the reason) and the `dead` metric.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import Connection, select, update

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import NotificationFailed, NotificationSent
from campaign_kit.db import Database, as_utc
from campaign_kit.outbox import OutboxRelay, add_to_outbox
from campaign_notifier import SERVICE
from campaign_notifier.channels import Channel, DeliveryError, OutgoingMessage
from campaign_notifier.clock import Clock
from campaign_notifier.domain.delivery_policy import (
    backoff_s,
    in_quiet_hours,
    rate_limited_until,
)
from campaign_notifier.store import attempts, deliveries, outbox

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_s: float = 30.0
    cap_s: float = 3600.0
    quiet_recheck_s: float = 60.0


class DeliveryMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        # outcome: sent, failed (an attempt failed), retry (another attempt is due), dead
        self.outcomes = Counter("notifications_total", "Delivery attempts by outcome",
                                ["channel", "outcome"], registry=registry)
        self.deferred = Counter("notifications_deferred_total",
                                "Deliveries held back by quiet hours or the rate limit",
                                ["reason"], registry=registry)


class DeliverySender:
    def __init__(
        self, db: Database, campaign: Campaign, channels: Mapping[str, Channel],
        relay: OutboxRelay | None, topic: str, metrics: DeliveryMetrics, wall: Clock,
        campaign_clock: Clock, policy: RetryPolicy,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.db = db
        self.campaign = campaign
        self.channels = channels
        self.relay = relay
        self.topic = topic
        self.metrics = metrics
        self.wall = wall
        self.campaign_clock = campaign_clock
        self.policy = policy
        self.jitter = jitter
        self._lock = asyncio.Lock()

    async def flush(self, batch: int = 200) -> int:
        """Try every delivery that is due; returns how many were sent."""
        sent = 0
        async with self._lock:
            with self.db.begin() as connection:
                due = connection.execute(
                    select(deliveries).where(
                        deliveries.c.status == "pending",
                        deliveries.c.next_attempt_at <= self.wall.now(),
                    ).order_by(deliveries.c.created_at, deliveries.c.notice_id,
                               deliveries.c.delivery_id).limit(batch)
                ).all()
            for row in due:
                if self._defer(row):
                    continue
                sent += await self._attempt(row)
        if self.relay is not None:
            await self.relay.flush()
        return sent

    def _defer(self, row: Any) -> bool:
        """Hold a delivery back for quiet hours (units only) or the recipient's rate limit."""
        now = self.wall.now()
        notifications = self.campaign.notifications
        local = self.campaign_clock.now().astimezone(self.campaign.tz).time()
        until = None
        reason = ""
        if row.audience == "unit" and in_quiet_hours(local, notifications.quiet_hours):
            until, reason = now + timedelta(seconds=self.policy.quiet_recheck_s), "quiet_hours"
        else:
            window = timedelta(hours=notifications.rate_limit.per_hours)
            with self.db.begin() as connection:
                recent = connection.execute(select(deliveries.c.sent_at).where(
                    deliveries.c.recipient == row.recipient, deliveries.c.status == "sent",
                    deliveries.c.sent_at > now - window)).scalars().all()
            limit = rate_limited_until([as_utc(t) for t in recent],
                                       notifications.rate_limit.max_messages, window)
            if limit is not None:
                until, reason = limit, "rate_limit"
        if until is None:
            return False
        self.metrics.deferred.labels(reason).inc()
        with self.db.begin() as connection:
            connection.execute(update(deliveries).where(
                deliveries.c.delivery_id == row.delivery_id).values(next_attempt_at=until))
        return True

    async def _attempt(self, row: Any) -> int:
        number = row.attempts + 1
        started = self.wall.now()
        with self.db.begin() as connection:
            connection.execute(attempts.insert().values(
                delivery_id=row.delivery_id, number=number, started_at=started))
            connection.execute(update(deliveries).where(
                deliveries.c.delivery_id == row.delivery_id).values(
                attempts=number, updated_at=started))
        message = OutgoingMessage(
            row.idempotency_key, row.recipient, row.recipient_name, row.subject, row.text,
            row.html, row.payload.encode("utf-8"))
        channel = self.channels.get(row.channel)
        try:
            if channel is None:
                raise DeliveryError(f"channel {row.channel} is not configured", permanent=True)
            await asyncio.to_thread(channel.send, message,
                                    lambda: self._accepted(row, number))
        except (DeliveryError, OSError) as exc:
            permanent = isinstance(exc, DeliveryError) and exc.permanent
            self._failed(row, number, f"{exc}", permanent)
            return 0
        return 1

    def _accepted(self, row: Any, number: int) -> None:
        now = self.wall.now()
        with self.db.begin() as connection:
            connection.execute(update(deliveries).where(
                deliveries.c.delivery_id == row.delivery_id).values(
                status="sent", sent_at=now, updated_at=now, last_error=None))
            self._finish(connection, row.delivery_id, number, "accepted", None)
            add_to_outbox(connection, outbox, self.topic, row.unit_code or "operators",
                          NotificationSent(**self._event_fields(row, number)))
        self.metrics.outcomes.labels(row.channel, "sent").inc()
        log.info("delivery sent", extra={"delivery_id": row.delivery_id, "rule": row.rule,
                                         "channel": row.channel, "attempt": number})

    def _failed(self, row: Any, number: int, error: str, permanent: bool) -> None:
        now = self.wall.now()
        dead = permanent or number >= self.policy.max_attempts
        self.metrics.outcomes.labels(row.channel, "failed").inc()
        with self.db.begin() as connection:
            self._finish(connection, row.delivery_id, number, "failed", error)
            if dead:
                connection.execute(update(deliveries).where(
                    deliveries.c.delivery_id == row.delivery_id).values(
                    status="dead", last_error=error, updated_at=now))
                add_to_outbox(connection, outbox, self.topic, row.unit_code or "operators",
                              NotificationFailed(**self._event_fields(row, number),
                                                 error=error))
            else:
                pause = backoff_s(number, self.policy.base_s, self.policy.cap_s, self.jitter())
                connection.execute(update(deliveries).where(
                    deliveries.c.delivery_id == row.delivery_id).values(
                    last_error=error, updated_at=now,
                    next_attempt_at=now + timedelta(seconds=pause)))
        self.metrics.outcomes.labels(row.channel, "dead" if dead else "retry").inc()
        log.warning("delivery failed", extra={"delivery_id": row.delivery_id,
                                              "attempt": number, "dead": dead, "error": error})

    def _finish(self, connection: Connection, delivery_id: str, number: int, outcome: str,
                error: str | None) -> None:
        connection.execute(update(attempts).where(
            attempts.c.delivery_id == delivery_id, attempts.c.number == number).values(
            finished_at=self.wall.now(), outcome=outcome, error=error))

    def _event_fields(self, row: Any, number: int) -> dict[str, Any]:
        return dict(
            producer=SERVICE, correlation_id=uuid.UUID(row.correlation_id),
            causation_id=uuid.UUID(row.cause_event_id), delivery_id=uuid.UUID(row.delivery_id),
            rule=row.rule, unit_code=row.unit_code, channel=row.channel,
            recipient=row.recipient, subject=row.subject, attempts=number,
        )

    async def run(self, every_s: float) -> None:
        """Background loop: send what is due (retries, deferred, resends)."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.flush()
            except Exception:
                log.exception("delivery flush failed")
