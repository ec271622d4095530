"""E-mail over SMTP, UTF-8 throughout so Vietnamese subjects and bodies arrive intact."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    timeout_s: float = 10.0
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    def send(self, sender: str, recipient: str, subject: str, body: str, message_id: str) -> None:
        """Send one message; raises smtplib.SMTPException or OSError when it is not taken."""
        message = EmailMessage()
        message["From"] = sender
        message["To"] = recipient
        message["Subject"] = subject
        # A stable Message-ID per delivery lets a mail system drop a resend after a crash.
        message["Message-ID"] = make_msgid(idstring=message_id, domain="campaign.local")
        message.set_content(body, charset="utf-8")
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_s) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
