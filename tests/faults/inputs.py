"""What the fault suite feeds: the demo's portal records with duplicated and reordered
deliveries, malformed and oversized records; and, on every internal topic a service reads, a
poison message, an oversized one, and (on the standings topic) a version 1 event written by an
older producer. The same inputs go to the faulty run and to the clean replay."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.topics import (
    CANDIDATES,
    CATALOGUE,
    DOSSIER_EVENTS,
    INDICATORS,
    STANDINGS,
    Topic,
)
from devkit.feed import demo_feed

OVERSIZED_BYTES = 900_000  # under the broker's 1 MiB message limit, far over any real event
INTERNAL_TOPICS: tuple[Topic, ...] = (INDICATORS, CATALOGUE, DOSSIER_EVENTS, STANDINGS,
                                      CANDIDATES)


@dataclass(frozen=True)
class Message:
    key: bytes | None
    value: bytes


def portal_feed(records: int, seed: int) -> list[Message]:
    """The demo feed with about 2% of records delivered twice, 2% of neighbours swapped (a
    re-sync overtaking the first sync), 1 in 500 a poison body, and one oversized record."""
    rng = random.Random(seed)
    feed = [Message(k.encode(), v) for k, v in demo_feed(load_campaign(), records, seed)]
    out: list[Message] = []
    for message in feed:
        out.append(message)
        if rng.random() < 0.02:
            out.append(message)  # a duplicated delivery
    for i in range(len(out) - 1):
        if rng.random() < 0.02:
            out[i], out[i + 1] = out[i + 1], out[i]  # a reordered delivery
    for i in sorted(rng.sample(range(len(out)), max(1, len(out) // 500)), reverse=True):
        out.insert(i, Message(b"POISON", b"\x00\xff{not json"))
    out.insert(len(out) // 2, Message(b"HUGE", b'{"MaHoSo": "' + b"x" * OVERSIZED_BYTES + b'"}'))
    return out


def standing_v1() -> bytes:
    """A StandingUpdated as version 1 wrote it (no subject or period-kind fields)."""
    return json.dumps({
        "event_id": "5b0e4c8e-8d3a-4f43-9b3e-0d6f1d1b2a01", "event_type": "StandingUpdated",
        "schema_version": 1, "occurred_at": "2024-07-01T08:00:00+07:00", "producer": "awards",
        "correlation_id": "5b0e4c8e-8d3a-4f43-9b3e-0d6f1d1b2a02", "causation_id": None,
        "campaign_id": "lang-son-sgtvt-ttt-2024", "period_key": "2024", "unit_code": "TTRA",
        "unit_name": "Thanh tra Sở", "rank": 5, "total_points": "0",
        "indicators": [], "targets_met": [], "previous_targets_met": [],
    }, ensure_ascii=False).encode()


def internal_injections() -> list[tuple[Topic, Message]]:
    """Unreadable messages on every internal topic, plus an old-version event."""
    injections: list[tuple[Topic, Message]] = []
    for topic in INTERNAL_TOPICS:
        injections += [
            (topic, Message(b"poison", b"{truncated")),
            (topic, Message(b"poison", b'{"event_type": "SomethingElse", "schema_version": 9}')),
            (topic, Message(b"huge", b'{"pad": "' + b"x" * OVERSIZED_BYTES + b'"}')),
        ]
    injections.append((STANDINGS, Message(b"TTRA", standing_v1())))
    return injections
