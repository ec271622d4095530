"""The one interface every award condition implements: judge a nominee's campaign-period
standing against the condition's settings from the campaign file, in words for the Council."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from campaign_awards.domain.standings import Standing
from campaign_contracts.events import ConditionResult


@dataclass(frozen=True)
class Context:
    """What a condition may look at besides the nominee's own standing."""

    award_names: Mapping[str, str]
    qualified: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Award code -> nominee codes that qualify for it now or were decided it."""


class Condition(Protocol):
    def __call__(self, spec: Any, standing: Standing, context: Context) -> ConditionResult:
        ...
