"""Numbers and dates as Vietnamese readers write them: 1.091 hồ sơ; 45,80%; 27,78 điểm;
31/12/2024."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NOT_AVAILABLE = "n/a"


def whole(value: int) -> str:
    """1091 -> '1.091'."""
    return f"{value:,}".replace(",", ".")


def decimal(value: Decimal, places: int = 2) -> str:
    """27.78 -> '27,78'; 1234.5 -> '1.234,50'."""
    quantum = Decimal(1).scaleb(-places)
    text = f"{value.quantize(quantum, ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(rate: Decimal | None) -> str:
    """A 0..1 rate as a percentage with two places: 0.458 -> '45,80%'; None -> 'n/a'."""
    return NOT_AVAILABLE if rate is None else f"{decimal(rate * 100)}%"


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")
