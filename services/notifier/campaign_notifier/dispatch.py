"""From a notice to deliveries, in the caller's transaction: the notice is recorded once, and
each recipient (a unit's contacts and webhook, or the operators) gets one delivery with its
idempotency key, its message rendered in the contact's language."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.envelope import Event
from campaign_notifier.domain.model import Notice
from campaign_notifier.render import Renderer
from campaign_notifier.store import deliveries, notices

NAMESPACE = uuid.UUID("6f1c1f0e-3a63-4d0b-9a57-3c1a9d6e2b10")


def idempotency_key(rule: str, recipient: str, unit_code: str, subject_key: str,
                    period: str) -> str:
    """One per (rule, recipient, subject, period): the delivery's identity everywhere."""
    text = "\x1f".join((rule, recipient, unit_code, subject_key, period))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    name: str
    language: str


class Dispatcher:
    def __init__(self, campaign: Campaign, renderer: Renderer) -> None:
        self.campaign = campaign
        self.renderer = renderer

    def recipients(self, notice: Notice) -> list[Recipient]:
        if notice.audience == "operators":
            return [Recipient("email", c.email, c.name, c.language)
                    for c in self.campaign.notifications.operators]
        unit = self.campaign.unit(notice.unit_code)
        if unit is None:
            return []
        found = [Recipient("email", c.email, c.name, c.language) for c in unit.contacts]
        if unit.webhook_url:
            found.append(Recipient("webhook", unit.webhook_url, unit.name, "vi"))
        return found

    def enqueue(self, connection: Connection, notice: Notice, cause: Event | None,
                now: datetime, campaign_now: datetime) -> int:
        """Record the notice and its deliveries; 0 when it was decided before. `now` is wall
        time (when to send), `campaign_now` the campaign clock's (what the text may say)."""
        exists = connection.execute(select(notices.c.id).where(
            notices.c.rule == notice.rule, notices.c.unit_code == notice.unit_code,
            notices.c.subject_key == notice.subject_key, notices.c.period == notice.period,
        )).first()
        if exists is not None:
            return 0
        notice_id = connection.execute(notices.insert().values(
            rule=notice.rule, unit_code=notice.unit_code, subject_key=notice.subject_key,
            period=notice.period, template=notice.template,
            context=json.dumps(notice.context, ensure_ascii=False, sort_keys=True),
            created_at=now,
        )).inserted_primary_key[0]  # type: ignore[index]
        flow = uuid.uuid5(NAMESPACE, f"{notice.rule}|{notice.unit_code}|{notice.subject_key}|"
                                     f"{notice.period}")
        cause_id = str(cause.event_id) if cause else str(flow)
        correlation = str(cause.correlation_id) if cause else str(flow)
        added = 0
        for recipient in self.recipients(notice):
            key = idempotency_key(notice.rule, recipient.address, notice.unit_code,
                                  notice.subject_key, notice.period)
            rendered = self.renderer.render(notice.template, recipient.language, notice.context,
                                            notice.unit_code, recipient.name,
                                            campaign_now.astimezone(self.campaign.tz).date())
            payload = json.dumps({
                "idempotency_key": key, "campaign_id": self.campaign.campaign_id,
                "rule": notice.rule, "unit_code": notice.unit_code,
                "subject_key": notice.subject_key, "period": notice.period,
                "subject": rendered.subject, "text": rendered.text, "facts": notice.context,
            }, ensure_ascii=False, sort_keys=True)
            connection.execute(deliveries.insert().values(
                delivery_id=str(uuid.uuid5(NAMESPACE, key)), idempotency_key=key,
                notice_id=notice_id, cause_event_id=cause_id, correlation_id=correlation,
                rule=notice.rule, audience=notice.audience, unit_code=notice.unit_code,
                channel=recipient.channel, recipient=recipient.address,
                recipient_name=recipient.name, language=recipient.language,
                subject=rendered.subject, text=rendered.text, html=rendered.html,
                payload=payload, status="pending", attempts=0, last_error=None,
                next_attempt_at=now, created_at=now, updated_at=now, sent_at=None,
            ))
            added += 1
        return added
