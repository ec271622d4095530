"""Sessions in a signed cookie (phiên làm việc) and the CSRF token every form carries.

The cookie holds who signed in, when the session ends and the session's CSRF token, signed with
HMAC-SHA256 under SESSION_SECRET; nothing in it is secret, everything in it is tamper-evident.
It is HttpOnly (no script reads it), SameSite=Lax (another site's form posts no cookie) and
Secure over https. Every visitor has a session, even before signing in, so that the sign-in form
is protected by the same CSRF token as every other form.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

COOKIE = "ws_session"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class Session:
    csrf: str
    expires: int
    username: str | None = None
    display_name: str | None = None
    role: str | None = None
    unit_code: str | None = None

    @property
    def signed_in(self) -> bool:
        return self.username is not None and self.role is not None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SessionCodec:
    secret: bytes
    lifetime_s: int
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if len(self.secret) < 32:
            raise ValueError("SESSION_SECRET must be at least 32 bytes")

    def anonymous(self) -> Session:
        return Session(csrf=secrets.token_urlsafe(24), expires=int(self.clock()) + 3600)

    def signed_in(self, username: str, display_name: str, role: str,
                  unit_code: str | None) -> Session:
        # A fresh CSRF token on sign-in: one seen before signing in is worth nothing after.
        return Session(secrets.token_urlsafe(24), int(self.clock()) + self.lifetime_s,
                       username, display_name, role, unit_code)

    def refreshed(self, session: Session) -> Session:
        return replace(session, expires=int(self.clock()) + 3600) if not session.signed_in \
            else session

    def _signature(self, body: str) -> str:
        return _b64(hmac.new(self.secret, body.encode("ascii"), hashlib.sha256).digest())

    def encode(self, session: Session) -> str:
        body = _b64(json.dumps(session.__dict__, ensure_ascii=False,
                               separators=(",", ":")).encode("utf-8"))
        return f"{body}.{self._signature(body)}"

    def decode(self, cookie: str | None) -> Session | None:
        """The session of a cookie, or None when it is missing, forged or expired."""
        if not cookie or "." not in cookie:
            return None
        body, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._signature(body)):
            return None
        try:
            data = json.loads(_unb64(body))
            session = Session(**data)
        except (ValueError, TypeError):
            return None
        if session.expires < self.clock():
            return None
        return session


def csrf_matches(session: Session, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(session.csrf, str(submitted))
