"""People who may sign in (tài khoản): the workspace's own table, passwords kept only as scrypt
hashes. The table holds who a person is (role and unit), never campaign data."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, String, Table, select

from campaign_kit.db import Database, service_metadata, upsert
from campaign_kit.identity import ROLES, Caller

metadata = service_metadata("campaign_workspace.migrations")
accounts = Table(
    "accounts",
    metadata,
    Column("username", String(100), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("unit_code", String(50), nullable=True),
    Column("password_hash", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# scrypt at n=2^14, r=8 uses 16 MiB and tens of milliseconds: slow for a guesser, fine for a
# person signing in.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
MIN_PASSWORD_CHARS = 10


class AccountError(ValueError):
    """An account that must not be created; the message is for people (Vietnamese)."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    role: str
    unit_code: str | None

    def caller(self) -> Caller:
        return Caller(self.role, self.unit_code, self.username)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(unicodedata.normalize("NFC", password).encode("utf-8"), salt=salt,
                            n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def password_matches(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(unicodedata.normalize("NFC", password).encode("utf-8"),
                                salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                                dklen=len(expected))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


# A fixed hash to compare against when the username is unknown, so that the answer takes the
# same time whether or not the account exists.
_DUMMY_HASH = hash_password("not a password of anyone", b"0123456789abcdef")


class AccountStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, username: str, password: str, role: str, unit_code: str | None,
            display_name: str, known_units: set[str]) -> Account:
        """Create or replace an account, refusing what cannot work."""
        username = unicodedata.normalize("NFC", username.strip())
        if not username or len(username) > 100 or any(c.isspace() for c in username):
            raise AccountError("Tên đăng nhập không được để trống hoặc chứa khoảng trắng.")
        if role not in ROLES:
            raise AccountError(f"Vai trò phải là một trong: {', '.join(ROLES)}.")
        if role == "unit" and not unit_code:
            raise AccountError("Tài khoản của đơn vị cần mã đơn vị (--unit).")
        if unit_code and unit_code not in known_units:
            raise AccountError(f"Đơn vị {unit_code} không có trong đợt thi đua.")
        if len(password) < MIN_PASSWORD_CHARS:
            raise AccountError(f"Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự.")
        account = Account(username, unicodedata.normalize("NFC", display_name.strip())
                          or username, role, unit_code or None)
        with self.db.begin() as connection:
            upsert(connection, accounts, {
                "username": account.username, "display_name": account.display_name,
                "role": role, "unit_code": account.unit_code,
                "password_hash": hash_password(password), "created_at": datetime.now(UTC),
            }, ["username"])
        return account

    def get(self, username: str) -> Account | None:
        with self.db.begin() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.username == username)).first()
        if row is None:
            return None
        return Account(row.username, row.display_name, row.role, row.unit_code)

    def verify(self, username: str, password: str) -> Account | None:
        username = unicodedata.normalize("NFC", username.strip())
        with self.db.begin() as connection:
            row = connection.execute(
                select(accounts).where(accounts.c.username == username)).first()
        if row is None:
            password_matches(password, _DUMMY_HASH)
            return None
        if not password_matches(password, row.password_hash):
            return None
        return Account(row.username, row.display_name, row.role, row.unit_code)
