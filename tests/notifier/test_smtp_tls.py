"""SMTP with STARTTLS and a login, and with implicit TLS, against a real aiosmtpd server with a
self-signed certificate (made by openssl for the test): the message arrives intact."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from campaign_notifier.channels import DeliveryError, OutgoingMessage
from campaign_notifier.channels.smtp import SmtpChannel
from devkit.infra import free_port
from devkit.smtp import Inbox

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

MESSAGE = OutgoingMessage("k" * 40, "qlvt@sgtvt.langson.example", "Trưởng phòng QLVT",
                          "[Thi đua] Hồ sơ đã được chấp nhận", "Nội dung", "<p>Nội dung</p>",
                          b"{}")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)
    return cert, key


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any
                 ) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"relay", b"pw")
    return AuthResult(success=ok)


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Inbox]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=authenticate,
                            auth_require_tls=True)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


@pytest.fixture
def tls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[int, Inbox]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_starttls_with_a_login(starttls_server: tuple[int, Inbox]) -> None:
    port, inbox = starttls_server
    accepted: list[bool] = []
    SmtpChannel("127.0.0.1", port, "a@sgtvt.langson.example", "Văn phòng", "starttls",
                "relay", "pw", verify_tls=False).send(MESSAGE, lambda: accepted.append(True))
    (received,) = inbox.messages
    assert accepted == [True]
    assert received.message["Subject"] == "[Thi đua] Hồ sơ đã được chấp nhận"
    with pytest.raises(DeliveryError):  # a wrong password: not taken, retried, then dead
        SmtpChannel("127.0.0.1", port, "a@sgtvt.langson.example", "Văn phòng", "starttls",
                    "relay", "wrong", timeout_s=2, verify_tls=False).send(MESSAGE, lambda: None)
    assert len(inbox.messages) == 1


def test_implicit_tls(tls_server: tuple[int, Inbox]) -> None:
    port, inbox = tls_server
    SmtpChannel("127.0.0.1", port, "a@sgtvt.langson.example", "Văn phòng", "tls",
                verify_tls=False).send(MESSAGE, lambda: None)
    assert inbox.wait_for(1, timeout=5)[0].message["To"].addresses[0].display_name == (
        "Trưởng phòng QLVT")
