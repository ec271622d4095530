"""The API rules of docs/api.md as checks a test applies to real answers and refusals: every
rate and target a 0..1 fraction with four places, every timestamp RFC 3339 with its offset,
every day YYYY-MM-DD, every text NFC; every refusal a Vietnamese message with a stable English
reason code in the status details."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from campaign_kit.grpc_errors import reason_of

FRACTION = re.compile(r"0\.\d{4}|1\.0000")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
REASON = re.compile(r"[a-z][a-z0-9_]*")
FRACTION_FIELDS = re.compile(r"(.*_)?(rate|target)")
TIME_FIELDS = re.compile(r".*_at|as_of|since|until")
DAY_FIELDS = re.compile(r".*_date|day|campaign_end")


def _check_text(path: str, name: str, value: str) -> list[str]:
    found = []
    if value != unicodedata.normalize("NFC", value):
        found.append(f"{path}: not NFC")
    if not value:
        return found
    if FRACTION_FIELDS.fullmatch(name) and not FRACTION.fullmatch(value):
        found.append(f"{path}={value!r}: not a 0..1 fraction with four places")
    if TIME_FIELDS.fullmatch(name):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or "T" not in value or moment.tzinfo is None:
            found.append(f"{path}={value!r}: not RFC 3339 with an offset")
    if DAY_FIELDS.fullmatch(name) and not DAY.fullmatch(value):
        found.append(f"{path}={value!r}: not YYYY-MM-DD")
    return found


def style_violations(message: Message, path: str = "") -> list[str]:
    """Every field of `message` (recursively) that breaks a rule of docs/api.md."""
    found: list[str] = []
    for field, value in message.ListFields():
        where = f"{path}.{field.name}" if path else field.name
        repeated = bool(field.is_repeated)
        values = list(value) if repeated else [value]
        for index, item in enumerate(values):
            at = f"{where}[{index}]" if repeated else where
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                found += style_violations(item, at)
            elif field.type == FieldDescriptor.TYPE_STRING:
                found += _check_text(at, field.name, item)
    return found


def assert_api_style(*messages: Message) -> None:
    found = [v for m in messages for v in style_violations(m)]
    assert not found, found


def is_vietnamese(text: str) -> bool:
    """Vietnamese for people: NFC, and letters with Vietnamese diacritics (an English sentence
    has none)."""
    return text == unicodedata.normalize("NFC", text) and any(
        c in "đĐ" or unicodedata.decomposition(c) for c in text if c.isalpha() and ord(c) > 127)


def assert_refusal(error: grpc.RpcError, code: grpc.StatusCode, reason: str) -> str:
    """The call was refused with `code` and the reason code `reason` (as ErrorInfo in the
    status details), and a Vietnamese message; returns the message."""
    assert error.code() == code, (error.code(), error.details())  # type: ignore[attr-defined]
    assert reason_of(error) == reason and REASON.fullmatch(reason)
    message = error.details() or ""  # type: ignore[attr-defined]
    assert is_vietnamese(message), message
    return str(message)


async def refused(call: Any, request: Any, code: grpc.StatusCode, reason: str,
                  **kwargs: Any) -> str:
    """Await `call(request)` over an aio channel, expecting the refusal; returns its message."""
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await call(request, **kwargs)
    return assert_refusal(failed.value, code, reason)
