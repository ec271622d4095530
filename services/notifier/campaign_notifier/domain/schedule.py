"""Local-time schedules: the occurrences of a scheduled rule between two instants. A run that
was missed while the service was down is one run on restart (the latest occurrence), never
one per missed tick."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def parse_local(at: str) -> time:
    hours, minutes = at.split(":")
    return time(int(hours), int(minutes))


def days_between(start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def latest_occurrence(
    after: datetime, until: datetime, tz: ZoneInfo,
    times_on: Callable[[date], list[time]],
) -> datetime | None:
    """The latest local occurrence in (after, until], or None: `times_on(day)` lists the
    times a rule runs on a local day (empty on days it does not run)."""
    latest: datetime | None = None
    for day in days_between(after, until, tz):
        for at in times_on(day):
            moment = datetime.combine(day, at, tz)
            if after < moment <= until and (latest is None or moment > latest):
                latest = moment
    return latest
