"""Target reached / no longer reached (đạt / không còn đạt chỉ tiêu), judged on settled figures
only, so that a notice stays true after it is sent.

Records from different portals arrive in no global order, so a rate near its target crosses it
back and forth within minutes. A unit is told of a crossing only at the campaign file's
evaluation times, when the denominator holds at least `min_denominator` items, and when the new
state has held for `settle_hours`. A unit told it reached a target and then falling below is
told that too; a target never announced as reached is not announced as lost (at_risk speaks
of targets still ahead)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from campaign_contracts.campaign_file import Campaign, TargetSettledRule
from campaign_notifier.domain.figures import cell_context
from campaign_notifier.domain.model import Facts, Notice
from campaign_notifier.domain.rules import Rule
from campaign_notifier.domain.schedule import parse_local

LATE_DAYS = 7
"""Portals re-sync late: crossings are still judged for a week after the period ends."""


class TargetSettled(Rule):
    name = "target_settled"

    def __init__(self, settings: TargetSettledRule, campaign: Campaign) -> None:
        self.settings = settings
        self.campaign = campaign
        self.settle = timedelta(hours=settings.settle_hours)

    def occurrences(self, day: date) -> list[time]:
        period = self.campaign.period
        if period.start <= day <= period.end + timedelta(days=LATE_DAYS):
            return [parse_local(t) for t in self.settings.evaluation_times]
        return []

    def evaluate(self, at: datetime, facts: Facts) -> list[Notice]:
        notices = []
        for cell in facts.cells():
            last = facts.last_notice(self.name, cell.unit_code, cell.indicator)
            told_met = bool(last.context["met"]) if last is not None else False
            if cell.met == told_met or (last is None and not cell.met):
                continue
            if cell.denominator < self.settings.min_denominator:
                continue  # too few dossiers: one record swings the rate
            if at - cell.state_since < self.settle:
                continue  # not settled yet
            # The text says how long the state held at least, not since when: that instant is
            # processing time, which differs between two replays of the same feed.
            context = {**cell_context(cell), "evaluated_at": at.isoformat(),
                       "settle_hours": self.settings.settle_hours}
            notices.append(Notice(
                self.name, "unit", cell.unit_code, cell.indicator, at.isoformat(),
                "target_reached" if cell.met else "target_lost", context,
            ))
        return notices


RULE = TargetSettled
