"""The periods an indicator is computed over (kỳ tính): the whole campaign, each calendar month
and each ISO week inside it. Boundaries are local calendar days (Asia/Ho_Chi_Minh) and both ends
of the campaign are inclusive; a month or week at an edge only holds the campaign's days."""

from __future__ import annotations

from datetime import date, timedelta

from campaign_contracts.campaign_file import Period
from campaign_contracts.events import PeriodKind


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def week_key(day: date) -> str:
    """ISO week with its ISO year: 30 Dec 2024 is in 2025-W01."""
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


PeriodKeys = tuple[tuple[str, str], tuple[str, str], tuple[str, str]]
"""((campaign, key), (month, key), (week, key)) of one day, kinds as their string values."""


class CampaignPeriods:
    """Period keys of the days inside a campaign period."""

    def __init__(self, period: Period) -> None:
        self.period = period
        self.campaign_key = period.key
        self._keys: dict[date, PeriodKeys | None] = {}  # a few hundred days at most

    def keys_of(self, day: date | None) -> PeriodKeys | None:
        """The three periods a dossier received on `day` belongs to; None outside the campaign."""
        if day is None:
            return None
        if day not in self._keys:
            self._keys[day] = (
                (
                    (PeriodKind.CAMPAIGN.value, self.campaign_key),
                    (PeriodKind.MONTH.value, month_key(day)),
                    (PeriodKind.WEEK.value, week_key(day)),
                )
                if self.period.contains(day) else None
            )
        return self._keys[day]

    def days(self) -> list[date]:
        count = (self.period.end - self.period.start).days + 1
        return [self.period.start + timedelta(days=i) for i in range(count)]

    def all(self) -> list[tuple[PeriodKind, str]]:
        """Every period of the campaign: itself, its months, its weeks, in calendar order."""
        months = dict.fromkeys(month_key(d) for d in self.days())
        weeks = dict.fromkeys(week_key(d) for d in self.days())
        return [
            (PeriodKind.CAMPAIGN, self.campaign_key),
            *((PeriodKind.MONTH, m) for m in months),
            *((PeriodKind.WEEK, w) for w in weeks),
        ]

    def contains(self, kind: PeriodKind, key: str) -> bool:
        return (kind, key) in set(self.all())

    def bounds(self, kind: PeriodKind, key: str) -> tuple[date, date]:
        """First and last day (inclusive) of a period, clipped to the campaign."""
        if kind is PeriodKind.CAMPAIGN:
            days = self.days()
        elif kind is PeriodKind.MONTH:
            days = [d for d in self.days() if month_key(d) == key]
        else:
            days = [d for d in self.days() if week_key(d) == key]
        if not days:
            raise KeyError(f"no {kind.value} {key!r} in the campaign period {self.campaign_key}")
        return days[0], days[-1]
