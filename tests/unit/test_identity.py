"""The one token scheme: signed identities for people, static tokens for machines."""

from __future__ import annotations

import pytest

from campaign_kit.identity import (
    Authenticator,
    Caller,
    IdentityConfigError,
    IdentitySigner,
    StaticTokens,
    Unauthenticated,
)

SECRET = b"s" * 32
UNITS = ["QLVT", "VP"]


class Clock:
    def __init__(self) -> None:
        self.now = 1_730_000_000.0

    def __call__(self) -> float:
        return self.now


def auth(token: str, authenticator: Authenticator) -> Caller:
    return authenticator.authenticate([("authorization", f"Bearer {token}")])


def test_a_signed_identity_names_the_person_role_and_unit() -> None:
    signer = IdentitySigner(SECRET)
    token = signer.issue(Caller("unit", "QLVT", "Nguyễn Thị Hương"))
    caller = auth(token, Authenticator(StaticTokens({}), signer))
    assert caller == Caller("unit", "QLVT", "Nguyễn Thị Hương")
    assert caller.actor == "unit:QLVT:Nguyễn Thị Hương"


def test_an_edited_payload_or_another_secret_is_refused() -> None:
    signer = IdentitySigner(SECRET)
    token = signer.issue(Caller("unit", "QLVT", "A"))
    forged = IdentitySigner(b"x" * 32).issue(Caller("office", "VP", "A"))
    head, _payload, signature = token.split(".")
    tampered = ".".join([head, forged.split(".")[1], signature])
    authenticator = Authenticator(StaticTokens({}), signer)
    for bad in (forged, tampered):
        with pytest.raises(Unauthenticated) as refused:
            auth(bad, authenticator)
        assert refused.value.reason == "bad_signature"


def test_an_identity_expires() -> None:
    clock = Clock()
    signer = IdentitySigner(SECRET, clock)
    token = signer.issue(Caller("council", None, "B"), ttl_s=60)
    clock.now += 60 + 31
    with pytest.raises(Unauthenticated) as refused:
        auth(token, Authenticator(StaticTokens({}), signer))
    assert refused.value.reason == "expired"


def test_static_tokens_name_machine_callers_and_bad_entries_stop_the_start() -> None:
    static = StaticTokens.parse("0123456789abcdef:office:VP, fedcba9876543210:operator", UNITS)
    assert auth("0123456789abcdef", Authenticator(static)) == Caller("office", "VP")
    with pytest.raises(Unauthenticated):
        auth("0123456789abcdeX", Authenticator(static))
    for bad in ("short:office", "0123456789abcdef:king", "0123456789abcdef:unit",
                "0123456789abcdef:unit:NOPE"):
        with pytest.raises(IdentityConfigError):
            StaticTokens.parse(bad, UNITS)


def test_a_short_secret_is_refused_and_signed_tokens_need_a_secret() -> None:
    with pytest.raises(IdentityConfigError):
        IdentitySigner(b"short")
    token = IdentitySigner(SECRET).issue(Caller("office", "VP", "C"))
    with pytest.raises(Unauthenticated) as refused:
        auth(token, Authenticator(StaticTokens({})))
    assert refused.value.reason == "signed_identities_off"
