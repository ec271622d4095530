"""The periods standings are kept for (kỳ xếp hạng): the whole campaign, each calendar month
and each ISO week inside it, with the same keys the metrics service gives its figures
("2024-06-01..2024-12-31", "2024-07", "2024-W27"). Days are local calendar days, both ends
inclusive; a month or week at the campaign's edge holds only the campaign's days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from campaign_awards.domain.errors import Refusal, RefusalKind
from campaign_awards.domain.numbers import day as vn_day
from campaign_contracts.events import PeriodKind


@dataclass(frozen=True)
class StandingPeriod:
    kind: PeriodKind
    key: str
    label: str
    start: date
    end: date

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def end_instant(self, zone: tzinfo) -> datetime:
        """The first instant after the period's last day, local time."""
        return datetime.combine(self.end + timedelta(days=1), time(), zone)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def campaign_periods(start: date, end: date) -> list[StandingPeriod]:
    """The campaign, its months and its weeks, in calendar order."""
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    periods = [StandingPeriod(PeriodKind.CAMPAIGN, f"{start.isoformat()}..{end.isoformat()}",
                              f"Cả đợt thi đua ({vn_day(start)} – {vn_day(end)})", start, end)]
    for kind, key_of in ((PeriodKind.MONTH, month_key), (PeriodKind.WEEK, week_key)):
        grouped: dict[str, list[date]] = {}
        for d in days:
            grouped.setdefault(key_of(d), []).append(d)
        for key, members in grouped.items():
            if kind is PeriodKind.MONTH:
                label = f"Tháng {int(key[5:])}/{key[:4]}"
            else:
                label = (f"Tuần {int(key[6:])}/{key[:4]} "
                         f"({vn_day(members[0])} – {vn_day(members[-1])})")
            periods.append(StandingPeriod(kind, key, label, members[0], members[-1]))
    return periods


class Periods:
    """Looks periods up by key; an unknown key is refused naming the valid ones."""

    def __init__(self, start: date, end: date) -> None:
        self.all = campaign_periods(start, end)
        self.by_key = {p.key: p for p in self.all}
        self.campaign = self.all[0]

    def get(self, key: str) -> StandingPeriod:
        if not key or key == "campaign":
            return self.campaign
        period = self.by_key.get(key.strip())
        if period is None:
            months = [p.key for p in self.all if p.kind is PeriodKind.MONTH]
            weeks = [p.key for p in self.all if p.kind is PeriodKind.WEEK]
            raise Refusal(
                RefusalKind.INVALID, "unknown_period",
                f"Không có kỳ '{key}'. Kỳ hợp lệ: cả đợt ({self.campaign.key} hoặc để trống); "
                f"tháng: {', '.join(months)}; tuần: {', '.join(weeks)}.",
            )
        return period
