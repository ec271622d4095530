"""What the rules read (facts the notifier keeps from the event log) and what they decide
(notices). A notice names its rule, audience, subject and period: together with the recipient
they make the idempotency key, so one notice reaches one recipient once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal, Protocol

Audience = Literal["unit", "operators"]


@dataclass(frozen=True)
class Notice:
    rule: str
    audience: Audience
    unit_code: str  # "" for operators
    subject_key: str  # what it is about: an indicator, a dossier, a decision, a portal
    period: str  # which occurrence: an evaluation time, a digest day, an event id
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """A unit's indicator over the campaign period, as the notifier last saw it."""

    unit_code: str
    indicator: str
    indicator_name: str
    counted_unit: str
    numerator: int
    denominator: int
    rate: Decimal | None
    target: Decimal
    met: bool
    state_since: datetime  # campaign-clock time the met state last changed
    as_of: datetime | None


@dataclass(frozen=True)
class Standing:
    unit_code: str
    rank: int
    shared: bool  # another unit holds the same rank
    total_points: Decimal
    unit_count: int


@dataclass(frozen=True)
class Candidate:
    candidate_id: str
    award_type: str
    award_name: str
    nominee_kind: str
    nominee_code: str
    nominee_name: str
    unit_code: str


@dataclass(frozen=True)
class Freshness:
    kind: Literal["portal", "unit"]
    code: str
    last_record_at: datetime


@dataclass(frozen=True)
class Forecast:
    """The awards service's forecast of one indicator to the campaign's end."""

    indicator: str
    expected_rate: Decimal | None
    will_meet: bool
    gap: int
    gap_text: str


@dataclass(frozen=True)
class PastNotice:
    period: str
    context: dict[str, Any]


class Facts(Protocol):
    """What scheduled rules may ask, answered from the notifier's own tables."""

    def cells(self, unit_code: str | None = None) -> list[Cell]: ...

    def standing(self, unit_code: str) -> Standing | None: ...

    def open_candidates(self) -> list[Candidate]: ...

    def submitted(self, unit_code: str) -> set[tuple[str, str, str]]:
        """(award type, nominee kind, nominee code) of the unit's submitted dossiers."""
        ...

    def attached(self, dossier_id: str) -> set[tuple[int, str]]:
        """(set number, document kind) of the documents a dossier holds."""
        ...

    def freshness(self) -> list[Freshness]: ...

    def last_notice(self, rule: str, unit_code: str, subject_key: str) -> PastNotice | None: ...

    def forecasts(self, unit_code: str) -> list[Forecast] | None:
        """None when the awards service gives no forecast (yet)."""
        ...
