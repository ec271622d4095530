"""The clocks the notifier reads.

Two kinds of "now". The **wall clock** times the live system: retries, rate limits, and the
silent-portal rule. The **campaign clock** times the campaign's scheduled rules (digest day,
evaluation times, days left, quiet hours). In production they are the same clock.

A demo that replays 2024 records in 2026 needs a campaign clock inside 2024. We chose a replay
clock — a fixed campaign instant plus wall time elapsed, optionally sped up — over following
the figures' own time, because portals send records in no global order (the demo feed is
shuffled over the whole period): the figures' latest time reaches December within the first
seconds of a replay, so every evaluation time of the campaign would fire at once on figures
that are still moving, which is exactly how units were told they reached targets their final
figures miss. Processing time is the only time in which a figure can be seen to settle. The
anchor is stored in the database, so a restart continues the replay clock where it was instead
of turning it back.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from campaign_kit.clock import Clock, FixedClock, SystemClock
from campaign_kit.db import Database, as_utc
from campaign_notifier.store import clock_anchor


class UtcClock:
    """Tells another clock's time in UTC: the database keeps no offset (SQLite), so every time
    the notifier stores is UTC whichever zone a clock (say, a test's) was set in."""

    def __init__(self, inner: Clock) -> None:
        self.inner = inner

    def now(self) -> datetime:
        return self.inner.now().astimezone(UTC)


__all__ = ["Clock", "FixedClock", "ReplayClock", "SystemClock", "UtcClock"]


class ReplayClock:
    """Campaign time = `start` + (wall time since the first start) × `speed`."""

    def __init__(self, db: Database, start: datetime, speed: float, wall: Clock) -> None:
        self.wall = wall
        self.speed = speed
        with db.begin() as connection:
            row = connection.execute(
                select(clock_anchor).where(clock_anchor.c.name == "replay")).first()
            if row is None:
                anchor_wall, anchor_campaign = wall.now(), start.astimezone(UTC)
                connection.execute(clock_anchor.insert().values(
                    name="replay", wall=anchor_wall, campaign=anchor_campaign))
            else:
                anchor_wall, anchor_campaign = as_utc(row.wall), as_utc(row.campaign)
        # Stored and compared in UTC: SQLite keeps no offset.
        self.anchor_wall = anchor_wall.astimezone(UTC)
        self.anchor_campaign = anchor_campaign.astimezone(UTC)

    def now(self) -> datetime:
        return self.anchor_campaign + (self.wall.now() - self.anchor_wall) * self.speed
