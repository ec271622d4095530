"""Values in the one API style of docs/api.md, for every service's gRPC answers: rates and
targets as 0..1 fractions with four places, timestamps RFC 3339 with their offset, and pages
of 1..500 items behind an opaque token."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from decimal import Decimal

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def fraction(value: Decimal | None) -> str:
    """A rate or a target: "0.4580"; the empty string when there is none (no figure is not a
    zero figure)."""
    return "" if value is None else str(value.quantize(Decimal("0.0001")))


def rfc3339(moment: datetime | None) -> str:
    """A timestamp with its offset; "" for none. Times are stored in UTC, and SQLite gives them
    back without a zone: such a time is UTC, never a local time without an offset."""
    if moment is None:
        return ""
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)).isoformat()


class BadPage(ValueError):
    """A page size or token the API refuses (INVALID_ARGUMENT with the reason code)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def page_size(requested: int, default: int = DEFAULT_PAGE_SIZE) -> int:
    """The page size asked for: 0 means the default; negative or above the maximum is refused
    rather than quietly changed, so a client learns its request was wrong."""
    if requested == 0:
        return default
    if requested < 0 or requested > MAX_PAGE_SIZE:
        raise BadPage("bad_page_size",
                      f"page_size phải từ 1 đến {MAX_PAGE_SIZE} (0: mặc định {default}); "
                      f"đã nhận {requested}.")
    return requested


def page_offset(token: str) -> int:
    """Where the page of `token` (from a previous answer's next_page_token) starts."""
    if not token:
        return 0
    try:
        offset = int(base64.urlsafe_b64decode(token.encode("ascii")).decode("ascii"))
    except (ValueError, UnicodeError):
        offset = -1
    if offset < 0:
        raise BadPage("bad_page_token",
                      "page_token không hợp lệ (hãy dùng next_page_token của trang trước).")
    return offset


def next_page_token(offset: int) -> str:
    """The opaque token of the page starting at `offset`."""
    return base64.urlsafe_b64encode(str(offset).encode("ascii")).decode("ascii")
