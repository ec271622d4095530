"""Accounts and their command: passwords kept only as scrypt hashes, doubtful accounts refused
with one readable line and a non-zero exit."""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from campaign_kit.db import Database
from campaign_workspace.accounts import AccountError, AccountStore, metadata, password_matches
from devkit.infra import ROOT


def store(tmp_path: Path) -> AccountStore:
    database = Database(f"sqlite:///{tmp_path / 'workspace.db'}", metadata)
    database.create_schema()
    return AccountStore(database)


def test_a_password_is_kept_as_a_salted_scrypt_hash_and_checked_against_it(tmp_path: Path
                                                                         ) -> None:
    accounts = store(tmp_path)
    accounts.add("qlvt", "mật khẩu rất dài", "unit", "QLVT", "Trần Văn Quang", {"QLVT"})
    accounts.add("qlvt2", "mật khẩu rất dài", "unit", "QLVT", "", {"QLVT"})
    with accounts.db.begin() as connection:
        hashes = [r.password_hash for r in connection.execute(metadata.tables["accounts"]
                                                              .select())]
    assert all(h.startswith("scrypt$") and "mật" not in h for h in hashes)
    assert hashes[0] != hashes[1]  # salted
    assert password_matches("mật khẩu rất dài", hashes[0])
    # The same password typed in decomposed Unicode (as some keyboards send it) still matches.
    assert accounts.verify("qlvt", unicodedata.normalize("NFD", "mật khẩu rất dài"))
    assert accounts.verify("qlvt", "mật khẩu rất dài ") is None
    assert accounts.verify("nobody", "mật khẩu rất dài") is None


@pytest.mark.parametrize(("username", "password", "role", "unit", "says"), [
    ("qlvt", "ngắn", "unit", "QLVT", "ít nhất 10 ký tự"),
    ("qlvt", "đủ dài rồi đấy", "unit", None, "cần mã đơn vị"),
    ("qlvt", "đủ dài rồi đấy", "unit", "XYZ", "không có trong đợt thi đua"),
    ("qlvt", "đủ dài rồi đấy", "admin", None, "Vai trò phải là"),
    ("có dấu cách", "đủ dài rồi đấy", "office", None, "khoảng trắng"),
])
def test_doubtful_accounts_are_refused(tmp_path: Path, username: str, password: str, role: str,
                                       unit: str | None, says: str) -> None:
    with pytest.raises(AccountError, match=says):
        store(tmp_path).add(username, password, role, unit, "", {"QLVT"})


def test_the_command_adds_an_account_or_says_in_one_line_why_not(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "campaign_workspace", "add-account"]
    added = subprocess.run([*command, "vanphong", "--role", "office", "--name", "Nông Thị Mai",
                            "--password-stdin"], input="mật khẩu của văn phòng\n", env=env,
                           cwd=ROOT, capture_output=True, text=True, check=False)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "account vanphong: office"
    assert store(tmp_path).verify("vanphong", "mật khẩu của văn phòng") is not None
    refused = subprocess.run([*command, "qlvt", "--role", "unit", "--password-stdin"],
                             input="mật khẩu của đơn vị\n", env=env, cwd=ROOT,
                             capture_output=True, text=True, check=False)
    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        "error: Tài khoản của đơn vị cần mã đơn vị (--unit)."]
    assert refused.stdout == ""
