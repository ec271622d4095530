"""Figures are numerator, denominator and rate; points and ranks follow the national index."""

from __future__ import annotations

from decimal import Decimal

from campaign_awards.domain.standings import points
from campaign_contracts.events import Figure

TARGET = Decimal("0.45")


def test_a_zero_denominator_has_no_rate_and_meets_nothing() -> None:
    figure = Figure.of(0, 0)
    assert figure.rate is None
    assert not figure.meets(Decimal("0.01"))


def test_the_target_is_compared_on_counts_not_on_the_rounded_rate() -> None:
    # 4499/10000 rounds to 0.4499, 44999/100000 would round up to 0.4500 but is below 45%.
    assert Figure.of(44999, 100000).rate == Decimal("0.4500")
    assert not Figure.of(44999, 100000).meets(TARGET)
    assert Figure.of(9, 20).meets(TARGET)


def test_points_are_full_at_target_proportional_below_and_zero_when_na() -> None:
    assert points(Figure.of(9, 20), TARGET, Decimal(50)) == Decimal("50.00")
    assert points(Figure.of(3, 20), TARGET, Decimal(50)) == Decimal("16.67")  # 0.15/0.45*50
    assert points(Figure.of(0, 0), TARGET, Decimal(50)) == Decimal("0.00")
