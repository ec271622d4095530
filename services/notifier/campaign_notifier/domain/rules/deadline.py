"""Deadline reminders (nhắc hạn nộp hồ sơ): N days before the dossier deadline, each unit with a
proposed candidate and no submitted dossier for it hears which nominations are still open."""

from __future__ import annotations

from datetime import date, datetime, time

from campaign_contracts.campaign_file import Campaign, DeadlineRule
from campaign_contracts.events import split_officer_key
from campaign_notifier.domain.model import Candidate, Facts, Notice
from campaign_notifier.domain.rules import Rule
from campaign_notifier.domain.schedule import parse_local


def dossier_nominee(candidate: Candidate) -> tuple[str, str, str]:
    """The candidate as dossiers name their nominee: an officer by name, a unit by code."""
    code = candidate.nominee_code
    if candidate.nominee_kind == "individual" and "/" in code:
        code = split_officer_key(code)[1]
    return candidate.award_type, candidate.nominee_kind, code


class Deadline(Rule):
    name = "deadline"

    def __init__(self, settings: DeadlineRule, campaign: Campaign) -> None:
        self.settings = settings
        self.campaign = campaign

    def occurrences(self, day: date) -> list[time]:
        if (self.campaign.dossier_deadline - day).days in self.settings.days_before:
            return [parse_local(self.settings.at)]
        return []

    def _name(self, candidate: Candidate) -> str:
        unit = self.campaign.unit(candidate.nominee_code)
        if candidate.nominee_kind == "collective" and unit is not None:
            return unit.name
        return candidate.nominee_name or candidate.nominee_code

    def evaluate(self, at: datetime, facts: Facts) -> list[Notice]:
        day = at.astimezone(self.campaign.tz).date()
        days_left = (self.campaign.dossier_deadline - day).days
        by_unit: dict[str, list[Candidate]] = {}
        for candidate in facts.open_candidates():
            by_unit.setdefault(candidate.unit_code, []).append(candidate)
        notices = []
        for unit_code, candidates in sorted(by_unit.items()):
            submitted = facts.submitted(unit_code)
            waiting = [c for c in candidates if dossier_nominee(c) not in submitted]
            if not waiting:
                continue
            context = {"days_left": days_left, "candidates": [
                {"award_name": c.award_name, "nominee_name": self._name(c),
                 "nominee_kind": c.nominee_kind}
                for c in sorted(waiting, key=lambda c: c.candidate_id)
            ]}
            notices.append(Notice(self.name, "unit", unit_code, "deadline", f"{days_left}d",
                                  "deadline", context))
        return notices


RULE = Deadline
