"""Delivering: the send recorded the moment the relay accepts it, a Message-ID derived from the
idempotency key (the same on a resend), retries with exponential backoff and jitter, a dead
letter after the last try, signed webhooks, quiet hours and the rate limit."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from campaign_kit.db import as_utc
from campaign_notifier import store
from campaign_notifier.channels.smtp import SmtpChannel
from campaign_notifier.channels.webhook import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookChannel,
    signature,
    verify,
)
from campaign_notifier.sender import RetryPolicy
from devkit.infra import free_port
from devkit.smtp import SmtpServer
from tests.notifier import builders as b
from tests.notifier.harness import SECRET, Harness, build_harness
from tests.notifier.receiver import WebhookInbox, webhook_receiver

START = "2025-01-15T09:00:00+07:00"


def harness(tmp_path: Path, smtp: SmtpServer, webhooks: tuple[str, WebhookInbox] | None = None,
            **notifications: object) -> Harness:
    url, inbox = webhooks if webhooks else (None, None)
    campaign = b.campaign(("decided",), webhook_url=url, **notifications)
    return build_harness(f"sqlite:///{tmp_path / 'n.db'}", campaign, smtp, START, inbox,
                         policy=RetryPolicy(max_attempts=3, base_s=10, cap_s=60))


def rows(h: Harness, unit: str = "QLVT") -> list[dict[str, object]]:
    with h.db.begin() as connection:
        return [dict(r._mapping) for r in connection.execute(
            select(store.deliveries).where(store.deliveries.c.unit_code == unit))]


def attempt_log(h: Harness) -> list[tuple[int, str | None]]:
    with h.db.begin() as connection:
        return [(r.number, r.outcome) for r in connection.execute(
            select(store.attempts).order_by(store.attempts.c.number))]


async def test_the_message_id_comes_from_the_idempotency_key(tmp_path: Path, smtp: SmtpServer
                                                             ) -> None:
    h = harness(tmp_path, smtp, quiet_hours=None)
    h.publish(b.decided("QLVT"))
    await h.advance(seconds=1)
    (mail,) = h.mails()
    (row,) = rows(h)
    assert mail["Message-ID"] == f"<{row['idempotency_key']}@sgtvt.langson.example>"
    assert mail["X-Campaign-Idempotency-Key"] == row["idempotency_key"]
    assert mail["From"] == ("Thường trực Hội đồng Thi đua – Khen thưởng Sở GTVT Lạng Sơn "
                            "<thiduakhenthuong@sgtvt.langson.example>")
    assert mail["Date"] == "Wed, 15 Jan 2025 09:00:01 +0700"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    html = mail.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "Quyết định số 125/QĐ-SGTVT ngày 15/01/2025" in html


async def test_the_send_is_recorded_when_the_relay_accepts_it_not_when_it_hangs_up(
    tmp_path: Path,
) -> None:
    with SmtpServer(quit_delay_s=3.0) as slow:
        h = harness(tmp_path, slow, quiet_hours=None)
        h.publish(b.decided("QLVT"))
        sending = asyncio.create_task(h.notifier.tick())
        await asyncio.to_thread(slow.inbox.wait_for, 1, 10)
        deadline = time.monotonic() + 2
        while rows(h)[0]["status"] != "sent" and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert rows(h)[0]["status"] == "sent"
        assert not sending.done()  # the relay has not answered QUIT yet
        await sending
    assert attempt_log(h) == [(1, "accepted")]


async def test_failures_back_off_exponentially_then_become_a_dead_letter(
    tmp_path: Path, smtp: SmtpServer,
) -> None:
    closed = free_port()  # nothing listens there: the relay is down
    h = harness(tmp_path, smtp, quiet_hours=None)
    h.notifier.sender.channels = {"email": SmtpChannel("127.0.0.1", closed, "a@b.example",
                                                       "A", timeout_s=1)}
    h.publish(b.decided("QLVT"))
    await h.advance(seconds=1)
    pauses = []
    for _ in range(2):
        (row,) = rows(h)
        pauses.append((as_utc(row["next_attempt_at"]) - h.clock.now()).total_seconds())  # type: ignore[arg-type]
        await h.advance(seconds=pauses[-1])
    assert 5 <= pauses[0] < 15 and 10 <= pauses[1] < 30  # 10 s, then 20 s, ±50% jitter
    (row,) = rows(h)
    assert row["status"] == "dead" and row["attempts"] == 3
    assert "ConnectionRefusedError" in str(row["last_error"])
    assert attempt_log(h) == [(1, "failed"), (2, "failed"), (3, "failed")]
    assert h.metric("notifications_total", channel="email", outcome="retry") == 2
    assert h.metric("notifications_total", channel="email", outcome="dead") == 1
    with h.db.begin() as connection:
        (dead_letter,) = [json.loads(r.payload) for r in connection.execute(
            select(store.outbox))]
    assert dead_letter["event_type"] == "NotificationFailed"
    assert dead_letter["attempts"] == 3 and "Connection" in dead_letter["error"]
    await h.advance(hours=5)
    assert len(attempt_log(h)) == 3  # dead stays dead until an operator resends


async def test_webhooks_are_signed_retried_and_taken_once(
    tmp_path: Path, smtp: SmtpServer, webhooks: tuple[str, WebhookInbox],
) -> None:
    _url, inbox = webhooks
    inbox.fail_next = 2  # the receiver answers 503 twice
    h = harness(tmp_path, smtp, webhooks, quiet_hours=None)
    h.publish(b.decided("KCHT"))
    for _ in range(3):
        await h.advance(seconds=31)
    (row,) = [r for r in rows(h, "KCHT") if r["channel"] == "webhook"]
    assert row["status"] == "sent" and row["attempts"] == 3
    (body,) = inbox.accepted
    assert body["rule"] == "decided" and body["idempotency_key"] == row["idempotency_key"]
    assert "125/QĐ-SGTVT" in body["subject"] and body["facts"]["decision_date"] == "2025-01-15"
    assert inbox.refused == 0


async def test_a_receiver_with_another_secret_refuses_and_the_delivery_is_dead(
    tmp_path: Path, smtp: SmtpServer,
) -> None:
    with webhook_receiver(b"another secret that is long enough!!") as (url, inbox):
        h = harness(tmp_path, smtp, (url, inbox), quiet_hours=None)
        h.publish(b.decided("KCHT"))
        await h.advance(seconds=1)
    (row,) = [r for r in rows(h, "KCHT") if r["channel"] == "webhook"]
    assert (row["status"], row["attempts"], row["last_error"]) == ("dead", 1, "HTTP 401")
    assert inbox.refused == 1 and inbox.accepted == []


def test_a_receiver_checks_signature_body_and_replay_window() -> None:
    body = b'{"rule": "decided"}'
    now = 1_736_900_000
    signed = {TIMESTAMP_HEADER: str(now), SIGNATURE_HEADER: signature(SECRET, str(now), body),
              DELIVERY_HEADER: "k"}
    assert verify(SECRET, signed, body, now=now + 60)
    assert not verify(SECRET, signed, body + b" ", now=now)  # tampered
    assert not verify(b"x" * 40, signed, body, now=now)  # another secret
    assert not verify(SECRET, signed, body, now=now + 301)  # replayed after the window
    assert WebhookChannel(SECRET).name == "webhook"


async def test_quiet_hours_hold_a_notice_until_morning(tmp_path: Path, smtp: SmtpServer
                                                       ) -> None:
    h = harness(tmp_path, smtp)  # the seed campaign's quiet hours: 21:00-07:00
    h.clock.set(datetime.fromisoformat("2025-01-15T22:00:00+07:00"))
    h.publish(b.decided("QLVT"))
    await h.advance(minutes=1)
    await h.at("2025-01-16T06:59:00+07:00")
    assert h.mails() == []
    await h.at("2025-01-16T07:01:00+07:00")
    assert len(h.mails()) == 1
    assert h.metric("notifications_deferred_total", reason="quiet_hours") >= 1


async def test_the_rate_limit_holds_messages_back_and_drops_none(tmp_path: Path,
                                                                 smtp: SmtpServer) -> None:
    h = harness(tmp_path, smtp, quiet_hours=None,
                rate_limit={"max_messages": 2, "per_hours": 24})
    h.publish(*(b.decided("QLVT", f"{n}/QĐ-SGTVT") for n in (1, 2, 3)))
    await h.advance(seconds=1)
    assert len(h.mails()) == 2
    await h.advance(hours=23)
    assert len(h.mails()) == 2
    await h.advance(hours=1, seconds=1)
    assert [m["Subject"].split()[7] for m in h.mails()] == ["1/QĐ-SGTVT", "2/QĐ-SGTVT",
                                                          "3/QĐ-SGTVT"]
    assert h.clock.now() - datetime.fromisoformat(START) > timedelta(hours=24)
