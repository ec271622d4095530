"""Facts about figures the rules share: what a unit still needs to reach a target."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

from campaign_notifier.domain.model import Cell


def needed_more(numerator: int, denominator: int, target: Decimal) -> int:
    """How many more counted items (each in numerator and denominator: an online dossier, a
    dossier paid online) bring the rate to the target; 0 when it is met."""
    goal = Fraction(target)
    if denominator and Fraction(numerator, denominator) >= goal:
        return 0
    if goal >= 1:
        return max(denominator - numerator, 1)
    return max(math.ceil((goal * denominator - numerator) / (1 - goal)), 1)


def cell_context(cell: Cell) -> dict[str, Any]:
    """A cell as plain values (stored with the notice, read by its template)."""
    return {
        "indicator": cell.indicator, "name": cell.indicator_name,
        "counted_unit": cell.counted_unit, "numerator": cell.numerator,
        "denominator": cell.denominator,
        "rate": None if cell.rate is None else str(cell.rate),
        "target": str(cell.target), "met": cell.met,
        "shortfall": shortfall(cell.rate, cell.target),
    }


def shortfall(rate: Decimal | None, target: Decimal) -> str | None:
    """Percentage points still missing to the target (a 0..1 rate gap); None when met or n/a.
    Said in points of rate, the one measure true of every indicator: how many more items
    reach a target depends on what the indicator counts, which the forecast's gap tells."""
    if rate is None or rate >= target:
        return None
    return str(target - rate)
