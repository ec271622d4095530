"""Notification rules behind one interface, one module each, chosen and configured by the
campaign file's `notifications.rules`. Adding a rule is a module here, its settings model in
the campaign file, and a line of YAML."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any, ClassVar

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.envelope import Event
from campaign_notifier.domain.model import Facts, Notice


class Rule:
    """One notification rule. Event rules answer `on_event`; scheduled rules list the local
    times they run on a day and `evaluate` at one of them. Both may do both."""

    name: ClassVar[str]
    follows_system_clock: ClassVar[bool] = False
    """True for rules about the live system (a silent portal), which are judged on the wall
    clock even when a replay runs the campaign clock elsewhere."""
    wants_forecasts: ClassVar[bool] = False
    """True when `evaluate` reads `facts.forecasts` (fetched from the awards service first)."""

    def on_event(self, event: Event, facts: Facts) -> list[Notice]:
        return []

    def occurrences(self, day: date) -> list[time]:
        return []

    def evaluate(self, at: datetime, facts: Facts) -> list[Notice]:
        return []


RuleFactory = Callable[[Any, Campaign], Rule]


def build_rules(campaign: Campaign) -> list[Rule]:
    """The rules the campaign file names, each with its settings."""
    from campaign_notifier.domain.rules import (
        at_risk,
        deadline,
        decided,
        digest,
        dossier_status,
        silent,
        target_settled,
    )

    factories: dict[str, RuleFactory] = {
        module.RULE.name: module.RULE  # type: ignore[attr-defined]
        for module in (digest, target_settled, at_risk, dossier_status, deadline, decided,
                       silent)
    }
    rules = []
    for entry in campaign.notifications.rules:
        factory = factories.get(entry.rule)
        if factory is None:  # pragma: no cover - the campaign file's union names every rule
            raise ValueError(f"no notification rule module for {entry.rule}")
        rules.append(factory(entry, campaign))
    return rules
