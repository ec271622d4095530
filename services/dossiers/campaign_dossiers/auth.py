"""Callers are identified by bearer tokens (`authorization: Bearer <token>` metadata), each
configured with a role and, for a unit, its unit code:

    token:role[:unit_code]     e.g.  3f9c…e1:unit:QLVT, 77ab…02:office:VP, c0de…99:council

entries separated by commas or new lines (a file may carry `#` comments). Only a digest of each
token is kept in memory, and events name the caller by role and unit, never by token.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from campaign_contracts.campaign_file import Campaign
from campaign_dossiers.domain.access import Principal, Role
from campaign_dossiers.domain.errors import Refusal, RefusalKind

MIN_TOKEN_CHARS = 16


class TokenConfigError(ValueError):
    pass


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def _entries(text: str) -> Iterable[str]:
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        for entry in line.split(","):
            if entry.strip():
                yield entry.strip()


@dataclass(frozen=True)
class AccessTokens:
    by_digest: dict[bytes, Principal]

    @classmethod
    def parse(cls, text: str, campaign: Campaign) -> AccessTokens:
        """Parse entries, refusing anything doubtful: a short token, an unknown role or unit."""
        by_digest: dict[bytes, Principal] = {}
        for number, entry in enumerate(_entries(text), start=1):
            parts = entry.split(":")
            if len(parts) not in (2, 3):
                raise TokenConfigError(f"entry {number}: expected token:role[:unit_code]")
            token, role_text, unit = parts[0], parts[1], parts[2] if len(parts) == 3 else None
            if len(token) < MIN_TOKEN_CHARS:
                raise TokenConfigError(f"entry {number}: token shorter than {MIN_TOKEN_CHARS}")
            try:
                role = Role(role_text)
            except ValueError:
                raise TokenConfigError(
                    f"entry {number}: role must be one of {', '.join(r.value for r in Role)}"
                ) from None
            if role is Role.UNIT and not unit:
                raise TokenConfigError(f"entry {number}: a unit token needs its unit code")
            if unit and campaign.unit(unit) is None:
                raise TokenConfigError(f"entry {number}: unit {unit} is not in the campaign")
            digest = _digest(token)
            if digest in by_digest:
                raise TokenConfigError(f"entry {number}: the same token appears twice")
            by_digest[digest] = Principal(role, unit or None)
        return cls(by_digest)

    def __len__(self) -> int:
        return len(self.by_digest)

    def principal(self, token: str) -> Principal | None:
        # Looked up by digest: the time a lookup takes says nothing about the token's bytes.
        return self.by_digest.get(_digest(token))

    def authenticate(self, metadata: Iterable[tuple[str, str | bytes]] | None) -> Principal:
        """The caller named by the call's metadata, or an UNAUTHENTICATED refusal."""
        values = [v for k, v in (metadata or ()) if k.lower() == "authorization"]
        if not values:
            raise Refusal(RefusalKind.UNAUTHENTICATED, "no_token",
                          "Thiếu mã truy cập (metadata 'authorization: Bearer <token>').")
        value = values[0].decode("utf-8", "replace") if isinstance(values[0], bytes) \
            else values[0]
        scheme, _, token = value.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Refusal(RefusalKind.UNAUTHENTICATED, "bad_token",
                          "Mã truy cập phải có dạng 'Bearer <token>'.")
        principal = self.principal(token.strip())
        if principal is None:
            raise Refusal(RefusalKind.UNAUTHENTICATED, "unknown_token",
                          "Mã truy cập không hợp lệ.")
        return principal
