"""Refusals: a command the dossier will not carry out, with a kind (which the API maps to a
status), a stable reason code for machines and a Vietnamese message for people."""

from __future__ import annotations

from enum import StrEnum


class RefusalKind(StrEnum):
    INVALID = "invalid"                  # the request itself is wrong
    NOT_FOUND = "not_found"              # no such dossier or document
    WRONG_STATE = "wrong_state"          # not in this state of the dossier
    DUPLICATE = "duplicate"              # already done: opened, submitted, forwarded, attached
    FORBIDDEN = "forbidden"              # the caller's role or unit may not do this
    TOO_LARGE = "too_large"              # over the configured upload size
    UNAUTHENTICATED = "unauthenticated"  # no caller, or an unknown token
    CONFLICT = "conflict"                # the dossier changed meanwhile (optimistic concurrency)


class Refusal(Exception):
    """Raised by a decision; the dossier stays as it was."""

    def __init__(self, kind: RefusalKind, reason: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.reason = reason
        self.message = message

    def __repr__(self) -> str:
        return f"Refusal({self.kind.value}, {self.reason!r}, {self.message!r})"
