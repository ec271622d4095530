"""Where a nominee will end the campaign at its recent pace (dự báo): numerator and denominator
each grow at the pace of the last N days (the campaign file's `forecast_window_days`), carried
to the campaign's last day; the target is judged on the expected counts, and the gap says how
many more counted items (in the indicator's own unit) would reach it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction

from campaign_awards.domain.numbers import whole
from campaign_contracts.campaign_file import IndicatorRule
from campaign_contracts.events import Figure


@dataclass(frozen=True)
class Sample:
    """A cumulative figure as it stood at a time (one version of a campaign-period cell)."""

    at: datetime
    numerator: int
    denominator: int


@dataclass(frozen=True)
class IndicatorForecast:
    rule: IndicatorRule
    now: Figure
    expected: Figure
    will_meet: bool
    gap: int
    gap_text: str


def _value_at(samples: Sequence[Sample], moment: datetime) -> tuple[int, int]:
    before = [s for s in samples if s.at <= moment]
    if not before:
        return 0, 0
    last = max(before, key=lambda s: s.at)
    return last.numerator, last.denominator


def forecast(
    rule: IndicatorRule, samples: Sequence[Sample], now: datetime, campaign_start: datetime,
    campaign_end: datetime, window_days: int, phrase: str,
) -> IndicatorForecast:
    """`campaign_end` is the first instant after the last day; `now` the figures' time."""
    numerator, denominator = _value_at(samples, now)
    window_start = max(now - timedelta(days=window_days), campaign_start)
    span = (now - window_start).total_seconds()
    remaining = max((campaign_end - now).total_seconds(), 0.0)
    if span > 0 and remaining > 0:
        base_num, base_den = _value_at(samples, window_start)
        share = Fraction(remaining) / Fraction(span)
        expected_num = numerator + math.floor((numerator - base_num) * share)
        expected_den = denominator + math.floor((denominator - base_den) * share)
    else:
        expected_num, expected_den = numerator, denominator
    expected = Figure.of(expected_num, max(expected_den, expected_num))
    will_meet = expected.meets(rule.target)
    needed = math.ceil(Fraction(rule.target) * expected.denominator) - expected.numerator
    gap = 0 if will_meet or expected.denominator == 0 else max(needed, 0)
    if expected.denominator == 0:
        text = "chưa có hồ sơ để tính"
    elif will_meet:
        text = "dự kiến đạt chỉ tiêu"
    else:
        text = f"cần thêm {whole(gap)} {phrase}"
    return IndicatorForecast(rule, Figure.of(numerator, denominator), expected, will_meet, gap,
                             text)


def default_phrase(rule: IndicatorRule, counted_unit: str) -> str:
    """The gap phrase when the campaign file gives none for the indicator."""
    return f"{counted_unit or 'hồ sơ'} đạt yêu cầu {rule.code}"


__all__ = ["IndicatorForecast", "Sample", "default_phrase", "forecast"]
