"""Builders for the awards tests: indicator events and cells as the metrics service sends them."""

from __future__ import annotations

from datetime import UTC, datetime

from campaign_awards.domain.standings import Cell
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import Figure, IndicatorUpdated, PeriodKind, SubjectKind

CAMPAIGN = load_campaign()
CAMPAIGN_KEY = CAMPAIGN.period.key


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def cell(indicator: str, numerator: int, denominator: int,
         as_of: str = "2024-07-01T10:00:00+07:00") -> Cell:
    return Cell(indicator, numerator, denominator, at(as_of), "2024.1", "cat1")


def update(
    subject: str, indicator: str, numerator: int, denominator: int, *,
    as_of: str = "2024-07-02T08:30:00+07:00", period: str = CAMPAIGN_KEY,
    kind: SubjectKind = SubjectKind.UNIT,
) -> IndicatorUpdated:
    period_kind = (PeriodKind.CAMPAIGN if ".." in period
                   else PeriodKind.WEEK if "W" in period else PeriodKind.MONTH)
    rule = CAMPAIGN.indicator(indicator)
    figure = Figure.of(numerator, denominator)
    return IndicatorUpdated(
        producer="metrics", campaign_id=CAMPAIGN.campaign_id, campaign_version="2024.1",
        catalogue_version="cat1", indicator=indicator, subject_kind=kind, subject_code=subject,
        period_kind=period_kind, period_key=period, figure=figure, previous=None,
        target=rule.target, target_met=figure.meets(rule.target), as_of=at(as_of),
    )
