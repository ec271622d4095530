"""Every topic of the platform in one place: name, partitions, retention, and what keys it."""

from __future__ import annotations

from dataclasses import dataclass

FOREVER = -1  # retention.ms: event topics are the system of record and keep events forever


@dataclass(frozen=True)
class Topic:
    name: str
    partitions: int
    key: str
    retention_ms: int = FOREVER
    doc: str = ""

    @property
    def config(self) -> dict[str, str]:
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": "delete"}


PORTAL_RECORDS = Topic(
    "portal.dossier-records.v1", 3, "MaHoSo",
    doc="Inbound DVCQG sync records (DongBoHoSoMC) from provincial portals, as sent",
)
PORTAL_RECORDS_DEAD_LETTER = Topic(
    "portal.dossier-records.dlq.v1", 1, "MaHoSo",
    doc="PortalRecordDeadLettered: rejected inbound records with the reason and original bytes",
)
ACCEPTED_RECORDS = Topic(
    "campaign.metrics.records.v1", 3, "MaHoSo",
    doc="PortalRecordAccepted: each validated record and whether the catalogue knows it",
)
INDICATORS = Topic(
    "campaign.metrics.indicators.v1", 3, "subject code",
    doc="IndicatorUpdated: indicator cells with previous values and definition versions",
)
CATALOGUE = Topic(
    "campaign.metrics.catalogue.v1", 1, "catalogue",
    doc="CatalogueLoaded: versions of the procedure catalogue (danh mục TTHC), one partition",
)
DOSSIER_EVENTS = Topic(
    "campaign.dossiers.events.v1", 3, "dossier id",
    doc="Nomination dossier events (opened, document attached, submitted, reviewed, forwarded)",
)
STANDINGS = Topic(
    "campaign.awards.standings.v1", 3, "unit code",
    doc="StandingUpdated: a unit's points, rank and targets met",
)
CANDIDATES = Topic(
    "campaign.awards.candidates.v1", 1, "candidate id",
    doc="CandidateProposed / CandidateWithdrawn: nominees the system proposes, with evidence",
)
AWARD_DECISIONS = Topic(
    "campaign.awards.decisions.v1", 1, "decision id",
    doc="AwardDecided / DecisionRevoked: the Council's decisions",
)
NOTIFICATIONS = Topic(
    "campaign.notifier.deliveries.v1", 1, "unit code",
    doc="NotificationSent / NotificationFailed: the delivery log",
)

ALL_TOPICS: tuple[Topic, ...] = (
    PORTAL_RECORDS,
    PORTAL_RECORDS_DEAD_LETTER,
    ACCEPTED_RECORDS,
    INDICATORS,
    CATALOGUE,
    DOSSIER_EVENTS,
    STANDINGS,
    CANDIDATES,
    AWARD_DECISIONS,
    NOTIFICATIONS,
)


def prefixed(topic: Topic, prefix: str) -> Topic:
    """The same topic under a prefix: tests give each test its own topics on one broker."""
    if not prefix:
        return topic
    name = f"{prefix}.{topic.name}"
    return Topic(name, topic.partitions, topic.key, topic.retention_ms, topic.doc)


def dead_letter_name(name: str) -> str:
    """`campaign.awards.standings.v1` -> `campaign.awards.standings.dlq.v1` (as the portal
    records' dead-letter topic is named)."""
    stem, dot, version = name.rpartition(".")
    return f"{stem}.dlq.{version}" if dot and version.startswith("v") else f"{name}.dlq"


def is_dead_letter(name: str) -> bool:
    return ".dlq." in name or name.endswith(".dlq")


def dead_letter_of(topic: Topic) -> Topic:
    """The dead-letter topic of an internal topic: events its consumers could not read, as
    EventDeadLettered with the reason; kept forever, one partition."""
    return Topic(dead_letter_name(topic.name), 1, topic.key,
                 doc=f"EventDeadLettered: unreadable events of {topic.name}")
