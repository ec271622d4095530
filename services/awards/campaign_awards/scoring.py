"""Points and ranking, as in the national service index: full points when the rate reaches the
target, otherwise points × rate / target; n/a gives 0. Ties break on the K3 rate, then on the
number of fee-bearing dossiers (the K3 denominator), then on the unit code for a stable order."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from campaign_contracts.events import Figure

POINT_PLACES = Decimal("0.01")


def points(figure: Figure, target: Decimal, full_points: Decimal) -> Decimal:
    if figure.denominator == 0:
        return Decimal("0.00")
    if figure.meets(target):
        return full_points.quantize(POINT_PLACES)
    rate = Fraction(figure.numerator, figure.denominator)
    exact = rate / Fraction(target) * Fraction(full_points)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        POINT_PLACES, ROUND_HALF_UP
    )


@dataclass(frozen=True)
class RankEntry:
    unit_code: str
    total_points: Decimal
    k3: Figure | None


def _sort_key(entry: RankEntry) -> tuple[Decimal, Fraction, int, str]:
    k3_rate = Fraction(entry.k3.numerator, entry.k3.denominator) if entry.k3 and \
        entry.k3.denominator else Fraction(-1)
    fee_bearing = entry.k3.denominator if entry.k3 else 0
    return (-entry.total_points, -k3_rate, -fee_bearing, entry.unit_code)


def rank(entries: list[RankEntry]) -> dict[str, int]:
    """Rank 1 is best; every unit gets a distinct rank (the code settles a full tie)."""
    return {e.unit_code: i for i, e in enumerate(sorted(entries, key=_sort_key), start=1)}
