"""The clock decisions read the time from: the system's, or a fixed one in tests (the kit's)."""

from campaign_kit.clock import Clock, FixedClock, SystemClock

__all__ = ["Clock", "FixedClock", "SystemClock"]
