"""E-mail over SMTP: STARTTLS or implicit TLS, optional login, `From` with a display name, a
`Date`, a Message-ID derived from the idempotency key (so a resend after a crash is the same
message to every mail system), and text and HTML parts in UTF-8."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Literal

from campaign_notifier.channels import DeliveryError, OutgoingMessage

IDEMPOTENCY_HEADER = "X-Campaign-Idempotency-Key"


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
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    name: str = "email"

    def message_id(self, key: str) -> str:
        domain = self.sender.rpartition("@")[2] or "localhost"
        return f"<{key}@{domain}>"

    def compose(self, message: OutgoingMessage) -> EmailMessage:
        mail = EmailMessage()
        local, _, domain = self.sender.rpartition("@")
        mail["From"] = Address(self.sender_name, local, domain)
        to_local, _, to_domain = message.recipient.rpartition("@")
        mail["To"] = Address(message.recipient_name, to_local, to_domain)
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(self.clock())
        mail["Message-ID"] = self.message_id(message.idempotency_key)
        mail[IDEMPOTENCY_HEADER] = message.idempotency_key
        mail["Auto-Submitted"] = "auto-generated"  # no vacation replies to a robot
        mail.set_content(message.text, charset="utf-8")
        mail.add_alternative(message.html, subtype="html", charset="utf-8")
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
