"""Delivery channels behind one port. A channel sends one message and calls `accepted` the
moment the relay or receiver takes it — before it closes the session — so the delivery log
records the send at that instant; whatever fails after it cannot make the send count twice."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    idempotency_key: str  # the same on every attempt: the receiving side drops a resend
    recipient: str  # an e-mail address or a webhook URL
    recipient_name: str
    subject: str
    text: str
    html: str
    payload: bytes  # the webhook body (JSON)


class DeliveryError(Exception):
    """The message was not taken; `permanent` when retrying cannot help (a refused address)."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    @property
    def name(self) -> str: ...

    def send(self, message: OutgoingMessage, accepted: Callable[[], None]) -> None:
        """Blocking; raises DeliveryError (or OSError) when the message was not taken."""
        ...
