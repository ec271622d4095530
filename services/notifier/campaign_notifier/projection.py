"""Turns standing events into pending deliveries, in the caller's transaction. Sending happens
after the commit (see delivery.py), so a crash never loses a notice that was decided."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import StandingUpdated
from campaign_notifier.rules import Notice, target_reached
from campaign_notifier.store import deliveries, milestones


class NotificationProjection:
    """Decides the deliveries; `milestones` keeps a note from repeating (see store.py)."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def apply(self, connection: Connection, event: StandingUpdated) -> None:
        unit = self.campaign.unit(event.unit_code)
        if unit is None:
            return
        now = datetime.now(UTC)
        for notice in target_reached(self.campaign, event):
            if not self._first_time(connection, notice, event):
                continue
            for contact in unit.contacts:
                exists = connection.execute(
                    select(deliveries.c.delivery_id).where(
                        deliveries.c.cause_event_id == str(event.event_id),
                        deliveries.c.rule == notice.rule,
                        deliveries.c.recipient == contact.email,
                    )
                ).first()
                if exists:  # the same event redelivered (e.g. republished by an outbox)
                    continue
                connection.execute(deliveries.insert().values(
                    delivery_id=str(uuid.uuid4()), cause_event_id=str(event.event_id),
                    correlation_id=str(event.correlation_id), rule=notice.rule,
                    unit_code=unit.code, channel="email", recipient=contact.email,
                    subject=notice.subject, body=notice.body, status="pending", attempts=0,
                    last_error=None, next_attempt_at=now, created_at=now, updated_at=now,
                ))

    @staticmethod
    def _first_time(connection: Connection, notice: Notice, event: StandingUpdated) -> bool:
        key = {"rule": notice.rule, "unit_code": notice.unit_code,
               "indicator": notice.indicator, "period_key": notice.period_key}
        seen = connection.execute(
            select(milestones.c.cause_event_id).where(
                *(milestones.c[name] == value for name, value in key.items())
            )
        ).scalar_one_or_none()
        if seen is not None:
            return bool(seen == str(event.event_id))  # the same event again: its deliveries stand
        connection.execute(milestones.insert().values(**key, cause_event_id=str(event.event_id)))
        return True
