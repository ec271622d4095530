"""Who is calling: the one token scheme of every service.

A call carries `authorization: Bearer <token>` metadata. Two kinds of token name a caller:

- a **signed identity** for a person, issued by the web workspace after sign-in and valid for
  minutes: `v1.<payload>.<signature>`, the payload base64url JSON
  `{"sub": person, "role": role, "unit": unit code or null, "iat": s, "exp": s}` and the
  signature base64url HMAC-SHA256 of `v1.<payload>` under the shared `IDENTITY_SECRET`;
- a **static token** for a machine client, configured as `token:role[:unit_code]` entries
  (comma or new line separated, `#` starts a comment).

Either way the service gets a `Caller` (role, unit, person) and decides itself what that role
may do: the workspace is never the only gate. Tokens are compared by digest or in constant time
and never logged; events name the caller by `Caller.actor`, never by token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaign_kit.settings import IdentitySettings

ROLES = ("unit", "office", "council", "operator")
"""unit: phòng, ban, đơn vị; office: Văn phòng Sở (Thường trực Hội đồng TĐKT); council: Hội
đồng thi đua – khen thưởng; operator: vận hành."""

MIN_STATIC_TOKEN_CHARS = 16
MIN_SECRET_BYTES = 32
SIGNED_PREFIX = "v1."
CLOCK_SKEW_S = 30


class IdentityConfigError(ValueError):
    """A token entry or secret that must not be accepted; the service refuses to start."""


class Unauthenticated(Exception):
    """The call names no valid caller. `reason` is a stable English code, `message` is for
    people (Vietnamese)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Caller:
    role: str
    unit_code: str | None = None
    person: str | None = None

    @property
    def actor(self) -> str:
        """How events name the caller: role, unit and person where known."""
        parts = [self.role]
        if self.unit_code:
            parts.append(self.unit_code)
        if self.person:
            parts.append(self.person)
        return ":".join(parts)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


def _entries(text: str) -> Iterable[str]:
    for line in text.splitlines():
        for entry in line.split("#", 1)[0].split(","):
            if entry.strip():
                yield entry.strip()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class StaticTokens:
    """Machine clients' tokens, kept only as digests."""

    by_digest: dict[bytes, Caller]

    @classmethod
    def parse(cls, text: str, known_units: Iterable[str]) -> StaticTokens:
        """Parse entries, refusing anything doubtful: a short token, an unknown role or unit."""
        units = set(known_units)
        by_digest: dict[bytes, Caller] = {}
        for number, entry in enumerate(_entries(text), start=1):
            parts = entry.split(":")
            if len(parts) not in (2, 3):
                raise IdentityConfigError(f"entry {number}: expected token:role[:unit_code]")
            token, role, unit = parts[0], parts[1], parts[2] if len(parts) == 3 else None
            if len(token) < MIN_STATIC_TOKEN_CHARS:
                raise IdentityConfigError(
                    f"entry {number}: token shorter than {MIN_STATIC_TOKEN_CHARS}")
            if role not in ROLES:
                raise IdentityConfigError(f"entry {number}: role must be one of {', '.join(ROLES)}")
            if role == "unit" and not unit:
                raise IdentityConfigError(f"entry {number}: a unit token needs its unit code")
            if unit and unit not in units:
                raise IdentityConfigError(f"entry {number}: unit {unit} is not in the campaign")
            digest = _digest(token)
            if digest in by_digest:
                raise IdentityConfigError(f"entry {number}: the same token appears twice")
            by_digest[digest] = Caller(role, unit or None)
        return cls(by_digest)

    def __len__(self) -> int:
        return len(self.by_digest)

    def caller(self, token: str) -> Caller | None:
        # Looked up by digest: the time a lookup takes says nothing about the token's bytes.
        return self.by_digest.get(_digest(token))


@dataclass(frozen=True)
class IdentitySigner:
    """Issues and verifies signed identities with one shared secret."""

    secret: bytes
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if len(self.secret) < MIN_SECRET_BYTES:
            raise IdentityConfigError(
                f"IDENTITY_SECRET must be at least {MIN_SECRET_BYTES} bytes")

    def _signature(self, signed_part: str) -> str:
        return _b64(hmac.new(self.secret, signed_part.encode("ascii"), hashlib.sha256).digest())

    def issue(self, caller: Caller, ttl_s: int = 300) -> str:
        now = int(self.clock())
        payload = {"sub": caller.person, "role": caller.role, "unit": caller.unit_code,
                   "iat": now, "exp": now + ttl_s}
        body = _b64(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
                    .encode("utf-8"))
        signed_part = SIGNED_PREFIX + body
        return f"{signed_part}.{self._signature(signed_part)}"

    def verify(self, token: str) -> Caller:
        signed_part, _, signature = token.rpartition(".")
        if not signed_part.startswith(SIGNED_PREFIX) or not signature:
            raise Unauthenticated("bad_token", "Mã định danh không đúng định dạng.")
        if not hmac.compare_digest(signature, self._signature(signed_part)):
            raise Unauthenticated("bad_signature", "Chữ ký của mã định danh không hợp lệ.")
        try:
            payload = json.loads(_unb64(signed_part[len(SIGNED_PREFIX):]))
        except (ValueError, binascii.Error):
            raise Unauthenticated("bad_token", "Mã định danh không đọc được.") from None
        if not isinstance(payload, dict):
            raise Unauthenticated("bad_token", "Mã định danh không đọc được.")
        now = self.clock()
        exp, iat = payload.get("exp"), payload.get("iat")
        if not isinstance(exp, int) or not isinstance(iat, int) or iat > now + CLOCK_SKEW_S:
            raise Unauthenticated("bad_token", "Mã định danh thiếu thời hạn hợp lệ.")
        if exp < now - CLOCK_SKEW_S:
            raise Unauthenticated("expired", "Phiên làm việc đã hết hạn, vui lòng đăng nhập lại.")
        role, unit, person = payload.get("role"), payload.get("unit"), payload.get("sub")
        if role not in ROLES or (role == "unit" and not unit):
            raise Unauthenticated("bad_token", "Mã định danh có vai trò không hợp lệ.")
        return Caller(str(role), str(unit) if unit else None, str(person) if person else None)


def bearer(metadata: Iterable[tuple[str, str | bytes]] | None) -> str:
    """The token of the call's `authorization: Bearer <token>` metadata."""
    values = [v for k, v in (metadata or ()) if k.lower() == "authorization"]
    if not values:
        raise Unauthenticated("no_token",
                              "Thiếu mã truy cập (metadata 'authorization: Bearer <token>').")
    value = values[0].decode("utf-8", "replace") if isinstance(values[0], bytes) else values[0]
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("bad_token", "Mã truy cập phải có dạng 'Bearer <token>'.")
    return token.strip()


@dataclass(frozen=True)
class Authenticator:
    """Names the caller of a gRPC call from its metadata: a signed identity or a static token."""

    static: StaticTokens
    signer: IdentitySigner | None = None

    def authenticate(self, metadata: Iterable[tuple[str, str | bytes]] | None) -> Caller:
        token = bearer(metadata)
        if token.startswith(SIGNED_PREFIX):
            if self.signer is None:
                raise Unauthenticated("signed_identities_off",
                                      "Dịch vụ chưa được cấu hình để nhận mã định danh có ký.")
            return self.signer.verify(token)
        caller = self.static.caller(token)
        if caller is None:
            raise Unauthenticated("unknown_token", "Mã truy cập không hợp lệ.")
        return caller


def configured_authenticator(settings: IdentitySettings, known_units: Iterable[str]
                             ) -> Authenticator:
    """The callers a service's settings configure, or exit(2) with one readable line (like any
    bad setting): a short or doubtful token entry, a short secret, an unreadable file."""
    try:
        secret = settings.identity_secret_bytes()
        signer = IdentitySigner(secret) if secret else None
        static = StaticTokens.parse(settings.access_token_entries(), known_units)
    except (IdentityConfigError, OSError) as exc:
        print(f"configuration error: ACCESS_TOKENS / IDENTITY_SECRET: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    return Authenticator(static, signer)
