"""E-mail over SMTP: STARTTLS or implicit TLS, optional login, `From` with a display name, a
`Date`, a Message-ID derived from the idempotency key (so a resend after a crash is the same
message to every mail system), and text and HTML parts in UTF-8."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.charset import QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from typing import Literal
from zoneinfo import ZoneInfo

from campaign_notifier.channels import DeliveryError, OutgoingMessage

IDEMPOTENCY_HEADER = "X-Campaign-Idempotency-Key"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def _utf8_qp() -> Charset:
    """UTF-8 bodies as quoted-printable: readable in a raw .eml, safe on 7-bit relays."""
    charset = Charset("utf-8")
    charset.body_encoding = QP
    return charset


@dataclass(frozen=True)
class SmtpChannel:
    host: str
    port: int
    sender: str
    sender_name: str
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: str | None = None
    timeout_s: float = 10.0
    verify_tls: bool = True
    time_zone: ZoneInfo = VIETNAM  # of the Date header
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    name: str = "email"

    def message_id(self, key: str) -> str:
        domain = self.sender.rpartition("@")[2] or "localhost"
        return f"<{key}@{domain}>"

    def compose(self, message: OutgoingMessage) -> MIMEMultipart:
        # Built the compat32 way: CPython's newer header folder drops the space between two
        # encoded words ("hồsơ") and splits display names inside a word, which Vietnamese
        # subjects and names would hit in every message.
        mail = MIMEMultipart("alternative")
        mail["From"] = formataddr((self.sender_name, self.sender), charset="utf-8")
        mail["To"] = formataddr((message.recipient_name, message.recipient), charset="utf-8")
        mail["Subject"] = Header(message.subject, "utf-8")  # type: ignore[assignment]
        mail["Date"] = format_datetime(self.clock().astimezone(self.time_zone))
        mail["Message-ID"] = self.message_id(message.idempotency_key)
        mail[IDEMPOTENCY_HEADER] = message.idempotency_key
        mail["Auto-Submitted"] = "auto-generated"  # no vacation replies to a robot
        mail.attach(MIMEText(message.text, "plain", _utf8_qp()))  # type: ignore[arg-type]
        mail.attach(MIMEText(message.html, "html", _utf8_qp()))  # type: ignore[arg-type]
        return mail

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if not self.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if self.security == "tls":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout_s,
                                    context=context)
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
        if self.security == "starttls":
            smtp.starttls(context=context)
        return smtp

    def send(self, message: OutgoingMessage, accepted: Callable[[], None]) -> None:
        mail = self.compose(message)
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        try:
            if self.username:
                smtp.login(self.username, self.password or "")
            refused = smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            smtp.close()
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if refused:
            smtp.close()
            raise DeliveryError(f"recipient refused: {refused}", permanent=True)
        # The relay answered 250 to DATA: the message is theirs. Record it before QUIT, which a
        # slow relay may take its time to answer.
        accepted()
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
