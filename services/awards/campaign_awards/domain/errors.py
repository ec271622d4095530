"""A refusal: what the domain answers instead of an event when a request cannot be done."""

from __future__ import annotations

from enum import StrEnum


class RefusalKind(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    WRONG_STATE = "wrong_state"
    DUPLICATE = "duplicate"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"


class Refusal(Exception):
    """`reason` is a stable English code for programs, `message` Vietnamese for people."""

    def __init__(self, kind: RefusalKind, reason: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.message = message
