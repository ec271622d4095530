"""Numbers, rates and dates the way Vietnamese readers write them: 1.091 hồ sơ; 45,80%;
31/12/2024."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal


def count(value: int) -> str:
    """1091 -> "1.091" (a dot groups thousands)."""
    return f"{value:,}".replace(",", ".")


def percent(rate: Decimal | str, places: int = 2) -> str:
    """Decimal("0.458") -> "45,80%"; "" (no rate) -> "n/a"."""
    if rate == "":
        return "n/a"
    scaled = (Decimal(rate) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    whole, _, fraction = f"{scaled:f}".partition(".")
    text = count(int(whole))
    return f"{text},{fraction}%" if fraction else f"{text}%"


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")
