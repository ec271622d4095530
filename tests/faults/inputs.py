"""What the fault suite feeds: the demo's portal records with duplicated and reordered
deliveries, malformed and oversized records; on every internal topic a service reads, a poison
message, an oversized one, and (on the standings topic) a version 1 event written by an older
producer; and nomination dossiers moving through the Office (submitted, then accepted or
returned), whose every step the notifier mails to the unit, so that the e-mails sent under
faults can be held to an exact expected set. The same inputs go to the faulty run and to the
clean replay."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import (
    DossierAccepted,
    DossierEventBase,
    DossierOpened,
    DossierReturned,
    DossierSubmitted,
    ReviewFinding,
)
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


# The dossiers' events are fixed (ids included), so both runs read the very same log.
DOSSIER_NAMESPACE = uuid.UUID("0b7f4a52-6f2e-4a8e-9f31-5d8a1c2e7b40")
DOSSIER_AWARD = "giay_khen_giam_doc_so"
DOSSIER_TIME = datetime(2024, 11, 4, 8, 0, tzinfo=UTC)
MAILED_STEPS = (DossierSubmitted, DossierAccepted, DossierReturned)  # the notifier's dossier_status


def dossier_events() -> list[DossierEventBase]:
    """A nomination for each unit and each officer, opened and submitted, then accepted or
    returned with a finding, in turn: two e-mails per dossier to its unit's contacts (a unit
    gets at most six, well inside the rate limit). Each dossier's events are in order;
    dossiers interleave."""
    campaign = load_campaign()
    nominees = [(u.code, "collective", u.code) for u in campaign.units]
    nominees += [(o.unit_code, "individual", o.name) for o in campaign.officers]
    paths: list[list[DossierEventBase]] = []
    for n, (unit, kind, nominee) in enumerate(nominees):
        dossier_id = uuid.uuid5(DOSSIER_NAMESPACE, f"{unit}/{nominee}")

        def common(sequence: int, unit: str = unit, kind: str = kind, nominee: str = nominee,
                   dossier_id: uuid.UUID = dossier_id) -> dict[str, Any]:
            return dict(dossier_id=dossier_id, sequence=sequence, unit_code=unit,
                        award_type=DOSSIER_AWARD, nominee_kind=kind, nominee_code=nominee,
                        producer="dossiers", event_id=uuid.uuid5(dossier_id, str(sequence)),
                        correlation_id=uuid.uuid5(dossier_id, "flow"),
                        occurred_at=DOSSIER_TIME + timedelta(hours=sequence))

        review: DossierEventBase = (
            DossierAccepted(reviewed_by="office", **common(3)) if n % 2 == 0 else
            DossierReturned(reviewed_by="office", findings=[
                ReviewFinding(note="Thiếu chữ ký của Thủ trưởng đơn vị")], **common(3)))
        paths.append([
            DossierOpened(campaign_id=campaign.campaign_id, campaign_version=campaign.version,
                          opened_by=f"unit:{unit}", **common(1)),
            DossierSubmitted(submitted_by=f"unit:{unit}", deadline=campaign.deadline_end,
                             **common(2)),
            review,
        ])
    # Round robin: every dossier's first step, then every second step, then every third.
    return [path[i] for i in range(3) for path in paths]


def dossier_messages() -> list[Message]:
    return [Message(str(e.dossier_id).encode(), e.to_bytes()) for e in dossier_events()]


def mailed(events: list[DossierEventBase]) -> list[DossierEventBase]:
    return [e for e in events if isinstance(e, MAILED_STEPS)]
