"""Periodic digest (bản tin định kỳ): each indicator against its target with numerator and
denominator, the rank (shared ranks shown as shared), the change since the last digest, and the
awards service's forecast. Weekly; daily in the campaign's last days."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from campaign_contracts.campaign_file import Campaign, DigestRule
from campaign_notifier.domain.figures import cell_context
from campaign_notifier.domain.model import Facts, Notice
from campaign_notifier.domain.rules import Rule
from campaign_notifier.domain.schedule import parse_local


class Digest(Rule):
    name = "digest"
    wants_forecasts = True

    def __init__(self, settings: DigestRule, campaign: Campaign) -> None:
        self.settings = settings
        self.campaign = campaign

    def occurrences(self, day: date) -> list[time]:
        period = self.campaign.period
        if not period.contains(day):
            return []
        last_days = (period.end - day).days < self.settings.daily_in_last_days
        if last_days or day.weekday() == self.settings.weekday:
            return [parse_local(self.settings.at)]
        return []

    def evaluate(self, at: datetime, facts: Facts) -> list[Notice]:
        day = at.astimezone(self.campaign.tz).date()
        notices = []
        for unit in self.campaign.units:
            previous = facts.last_notice(self.name, unit.code, "digest")
            before: dict[str, Any] = {}
            if previous is not None:
                before = {i["indicator"]: i for i in previous.context["indicators"]}
            forecasts = facts.forecasts(unit.code)
            by_code = {f.indicator: f for f in forecasts or []}
            indicators = []
            for cell in facts.cells(unit.code):
                item = cell_context(cell)
                old = before.get(cell.indicator)
                item["previous"] = None if old is None else {
                    k: old[k] for k in ("numerator", "denominator", "rate")}
                forecast = by_code.get(cell.indicator)
                item["forecast"] = None if forecast is None else {
                    "expected_rate": None if forecast.expected_rate is None
                    else str(forecast.expected_rate),
                    "will_meet": forecast.will_meet, "gap": forecast.gap,
                    "gap_text": forecast.gap_text,
                }
                indicators.append(item)
            standing = facts.standing(unit.code)
            context: dict[str, Any] = {
                "day": day.isoformat(),
                "days_left": (self.campaign.period.end - day).days,
                "indicators": indicators,
                "forecast_available": forecasts is not None,
                "standing": None if standing is None else {
                    "rank": standing.rank, "shared": standing.shared,
                    "unit_count": standing.unit_count,
                    "total_points": str(standing.total_points),
                },
                "previous_standing": None if previous is None
                else previous.context.get("standing"),
                "previous_day": None if previous is None else previous.context.get("day"),
            }
            notices.append(Notice(self.name, "unit", unit.code, "digest", day.isoformat(),
                                  "digest", context))
        return notices


RULE = Digest
