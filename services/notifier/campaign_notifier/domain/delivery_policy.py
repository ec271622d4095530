"""When a delivery may go: exponential backoff with jitter between attempts, quiet hours for
units (local time), and a rate limit per recipient. Deferring never drops a message."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from campaign_contracts.campaign_file import QuietHours
from campaign_notifier.domain.schedule import parse_local


def backoff_s(attempt: int, base_s: float, cap_s: float, jitter: float) -> float:
    """Pause after failed attempt `attempt` (1-based): base × 2^(attempt-1), capped, scaled by
    a jitter factor in [0.5, 1.5) so that many failed deliveries do not retry in step."""
    return float(min(base_s * 2.0 ** (attempt - 1), cap_s) * (0.5 + jitter))


def in_quiet_hours(local: time, quiet: QuietHours | None) -> bool:
    if quiet is None:
        return False
    start, end = parse_local(quiet.start), parse_local(quiet.end)
    if start <= end:
        return start <= local < end
    return local >= start or local < end  # over midnight, e.g. 21:00-07:00


def rate_limited_until(sent_in_window: list[datetime], max_messages: int,
                       window: timedelta) -> datetime | None:
    """When the recipient may get one more message, or None if it may now: the window holds
    the times of messages sent to it in the last `window`."""
    if len(sent_in_window) < max_messages:
        return None
    oldest_that_counts = sorted(sent_in_window)[-max_messages]
    return oldest_that_counts + window
