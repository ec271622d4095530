"""Numbers, rates and dates the way a Vietnamese civil servant reads them: 1.091 hồ sơ, 45,80%,
31/12/2024 (dots group thousands, a comma marks decimals, days first)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")
NOT_APPLICABLE = "không áp dụng"


def number(value: int | Decimal | str, places: int = 0) -> str:
    """1091 -> "1.091"; Decimal("12.5"), 2 -> "12,50"."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    quantum = Decimal(1).scaleb(-places)
    text = f"{amount.quantize(quantum, rounding=ROUND_HALF_UP):,.{places}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent(rate: str | Decimal | None, places: int = 2) -> str:
    """A 0..1 rate as "45,80%"; an empty rate (zero denominator) is n/a, never 0%."""
    if rate is None or rate == "":
        return NOT_APPLICABLE
    try:
        return number(Decimal(str(rate)) * 100, places) + "%"
    except InvalidOperation:
        return str(rate)


def points(value: str | Decimal) -> str:
    """Points are decimal strings with two places: "87.5" -> "87,50"."""
    if value == "":
        return "—"
    return number(value, 2)


def parse_moment(text: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)


def day(value: str | date | datetime) -> str:
    """"2024-12-31" (or a moment) -> "31/12/2024", in local time."""
    if isinstance(value, str):
        if not value:
            return ""
        parsed: date | datetime | None
        try:
            parsed = date.fromisoformat(value) if len(value) == 10 else parse_moment(value)
        except ValueError:
            parsed = None
        if parsed is None:
            return value
        value = parsed
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL).date() if value.tzinfo else value.date()
    return value.strftime("%d/%m/%Y")


def moment(value: str | datetime) -> str:
    """An RFC 3339 time as "14:05 31/12/2024" in local time."""
    parsed = parse_moment(value) if isinstance(value, str) else value
    if parsed is None:
        return str(value)
    local = parsed.astimezone(LOCAL)
    return local.strftime("%H:%M %d/%m/%Y")


def short_day(value: str) -> str:
    """"2024-07-05" -> "05/07" for chart axes."""
    try:
        return date.fromisoformat(value).strftime("%d/%m")
    except ValueError:
        return value


def size(n_bytes: int) -> str:
    if n_bytes < 1024:
        return f"{number(n_bytes)} B"
    if n_bytes < 1024 * 1024:
        return f"{number(Decimal(n_bytes) / 1024, 1)} KB"
    return f"{number(Decimal(n_bytes) / (1024 * 1024), 1)} MB"


def parse_day(text: str) -> date:
    """A day typed by a person: 31/12/2024 (as people write it) or 2024-12-31."""
    text = text.strip()
    if "/" in text:
        return datetime.strptime(text, "%d/%m/%Y").date()
    return date.fromisoformat(text)
