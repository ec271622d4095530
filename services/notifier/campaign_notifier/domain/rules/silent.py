"""Silent portal or unit (nguồn dữ liệu im lặng), to the operators: no record for
`silent_after_minutes` of working time. Judged on the wall clock: it is about the live system,
not about the campaign's figures."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from campaign_contracts.campaign_file import Campaign, SilentRule, WorkingHours
from campaign_notifier.domain.model import Facts, Notice
from campaign_notifier.domain.rules import Rule
from campaign_notifier.domain.schedule import days_between, parse_local


def working_minutes(start: datetime, end: datetime, hours: WorkingHours, campaign: Campaign
                    ) -> float:
    """Minutes of working time between two instants (local working days and hours)."""
    tz = campaign.tz
    total = 0.0
    for day in days_between(start, end, tz):
        if day.weekday() not in hours.weekdays:
            continue
        opens = datetime.combine(day, parse_local(hours.start), tz)
        closes = datetime.combine(day, parse_local(hours.end), tz)
        overlap = min(closes, end) - max(opens, start)
        total += max(overlap.total_seconds(), 0) / 60
    return total


class Silent(Rule):
    name = "silent"
    follows_system_clock = True

    def __init__(self, settings: SilentRule, campaign: Campaign) -> None:
        self.settings = settings
        self.campaign = campaign

    def occurrences(self, day: date) -> list[time]:
        hours = self.settings.working_hours
        if day.weekday() not in hours.weekdays:
            return []
        moment = datetime.combine(day, parse_local(hours.start))
        closes = datetime.combine(day, parse_local(hours.end))
        times = []
        while moment <= closes:
            times.append(moment.time())
            moment += timedelta(minutes=self.settings.check_every_minutes)
        return times

    def evaluate(self, at: datetime, facts: Facts) -> list[Notice]:
        notices = []
        for source in facts.freshness():
            silent_for = working_minutes(source.last_record_at, at,
                                         self.settings.working_hours, self.campaign)
            if silent_for < self.settings.silent_after_minutes:
                continue
            unit = self.campaign.unit(source.code) if source.kind == "unit" else None
            context = {"kind": source.kind, "code": source.code,
                       "name": unit.name if unit else source.code,
                       "last_record_at": source.last_record_at.isoformat(),
                       "silent_minutes": int(silent_for)}
            # One alert per silence: the period is the last record before it.
            notices.append(Notice(self.name, "operators", "", f"{source.kind}:{source.code}",
                                  source.last_record_at.isoformat(), "silent", context))
        return notices


RULE = Silent
