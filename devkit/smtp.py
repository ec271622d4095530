"""A real SMTP server (aiosmtpd) that keeps what it receives, with arrival times; it can be slow
to close a session (a relay that takes its time answering QUIT), as relays in the field are."""

from __future__ import annotations

import asyncio
import email
import email.policy
import threading
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from devkit.infra import free_port


@dataclass
class Received:
    message: EmailMessage
    arrived_at: float  # time.monotonic()


@dataclass
class Inbox:
    mail_dir: Path | None = None  # where each message is also kept as an .eml file
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    quit_delay_s: float = 0.0  # how long the server waits before answering QUIT

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.quit_delay_s:
            await asyncio.sleep(self.quit_delay_s)
        return "221 Bye"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(r.message["Message-ID"]) for r in self.messages]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(parsed, time.monotonic()))  # type: ignore[arg-type]
            if self.mail_dir is not None:
                self.mail_dir.mkdir(parents=True, exist_ok=True)
                (self.mail_dir / f"{len(self.messages):04}.eml").write_bytes(envelope.content)
        return "250 OK"

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise TimeoutError(f"expected {count} e-mails, got {len(self.messages)}")


class SmtpServer:
    def __init__(self, mail_dir: Path | None = None, quit_delay_s: float = 0.0,
                 port: int | None = None) -> None:
        self.inbox = Inbox(mail_dir, quit_delay_s=quit_delay_s)
        self.port = port or free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()
