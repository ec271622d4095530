"""At risk (nguy cơ không đạt): with N days left, a unit whose figure is below its target hears
how far it is and how many more items reach it."""

from __future__ import annotations

from datetime import date, datetime, time

from campaign_contracts.campaign_file import AtRiskRule, Campaign
from campaign_notifier.domain.figures import cell_context
from campaign_notifier.domain.model import Facts, Notice
from campaign_notifier.domain.rules import Rule
from campaign_notifier.domain.schedule import parse_local


class AtRisk(Rule):
    name = "at_risk"
    wants_forecasts = True

    def __init__(self, settings: AtRiskRule, campaign: Campaign) -> None:
        self.settings = settings
        self.campaign = campaign

    def occurrences(self, day: date) -> list[time]:
        if (self.campaign.period.end - day).days in self.settings.days_left:
            return [parse_local(self.settings.at)]
        return []

    def evaluate(self, at: datetime, facts: Facts) -> list[Notice]:
        day = at.astimezone(self.campaign.tz).date()
        days_left = (self.campaign.period.end - day).days
        notices = []
        for cell in facts.cells():
            if cell.met or cell.denominator < self.settings.min_denominator:
                continue
            forecast = next((f for f in facts.forecasts(cell.unit_code) or []
                             if f.indicator == cell.indicator), None)
            context = {**cell_context(cell), "days_left": days_left,
                       "gap_text": forecast.gap_text if forecast else ""}
            notices.append(Notice(self.name, "unit", cell.unit_code, cell.indicator,
                                  f"{days_left}d", "at_risk", context))
        return notices


RULE = AtRisk
