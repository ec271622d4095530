"""Which portal is calling: each portal that sends records over gRPC has its own token, given
in the call's metadata (`authorization: Bearer <token>`). Tokens are compared in constant time
and never logged."""

from __future__ import annotations

import hmac
from collections.abc import Iterable


class PortalTokenError(ValueError):
    pass


def parse_portal_tokens(text: str) -> dict[str, str]:
    """`name:token` pairs separated by commas or new lines (# starts a comment) -> {token: name}."""
    tokens: dict[str, str] = {}
    names: set[str] = set()
    for raw in text.replace(",", "\n").splitlines():
        pair = raw.split("#", 1)[0].strip()
        if not pair:
            continue
        name, sep, token = pair.partition(":")
        name, token = name.strip(), token.strip()
        if not sep or not name or not token:
            raise PortalTokenError(f"expected name:token, got an entry for {name or '?'!r}")
        if name in names:
            raise PortalTokenError(f"portal {name!r} is listed twice")
        if token in tokens:
            raise PortalTokenError(f"portals {tokens[token]!r} and {name!r} share a token")
        names.add(name)
        tokens[token] = name
    return tokens


class PortalTokens:
    def __init__(self, tokens: dict[str, str]) -> None:
        self._tokens = list(tokens.items())

    @classmethod
    def parse(cls, text: str) -> PortalTokens:
        return cls(parse_portal_tokens(text))

    @property
    def portals(self) -> list[str]:
        return sorted(name for _, name in self._tokens)

    def portal_for(self, token: str | None) -> str | None:
        """The portal a token belongs to, or None."""
        if not token:
            return None
        found = None
        for known, name in self._tokens:  # no early exit: the time does not tell which matched
            if hmac.compare_digest(known.encode("utf-8"), token.encode("utf-8")):
                found = name
        return found


def bearer_token(metadata: Iterable[tuple[str, str | bytes]]) -> str | None:
    """The token of `authorization: Bearer <token>` (or `x-portal-token: <token>`)."""
    for key, value in metadata:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
        if key.lower() == "authorization":
            scheme, _, token = text.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
        elif key.lower() == "x-portal-token" and text.strip():
            return text.strip()
    return None
