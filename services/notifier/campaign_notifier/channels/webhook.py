"""Signed webhooks: the JSON body is POSTed with

    X-Campaign-Delivery:  the idempotency key (the same on every attempt; receivers drop a
                          key they have seen)
    X-Campaign-Timestamp: Unix seconds when this attempt was signed
    X-Campaign-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" under the shared secret>

A receiver recomputes the signature, compares it in constant time, and refuses a timestamp
outside its replay window (`REPLAY_WINDOW_S`), so a captured request cannot be sent again
later. Any 2xx answer is acceptance. See services/notifier/README.md for a receiver."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from campaign_notifier.channels import DeliveryError, OutgoingMessage

DELIVERY_HEADER = "X-Campaign-Delivery"
TIMESTAMP_HEADER = "X-Campaign-Timestamp"
SIGNATURE_HEADER = "X-Campaign-Signature"
REPLAY_WINDOW_S = 300


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify(secret: bytes, headers: dict[str, str], body: bytes, now: float | None = None,
           window_s: int = REPLAY_WINDOW_S) -> bool:
    """What a receiver does (used by the tests' receiver, shown in the README)."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    if not timestamp.isdigit():
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > window_s:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body),
                               headers.get(SIGNATURE_HEADER, ""))


@dataclass(frozen=True)
class WebhookChannel:
    secret: bytes
    timeout_s: float = 10.0
    clock: Callable[[], float] = time.time
    name: str = "webhook"

    def send(self, message: OutgoingMessage, accepted: Callable[[], None]) -> None:
        timestamp = str(int(self.clock()))
        request = urllib.request.Request(message.recipient, data=message.payload, method="POST")
        request.add_header("Content-Type", "application/json; charset=utf-8")
        request.add_header("User-Agent", "campaign-notifier/1")
        request.add_header(DELIVERY_HEADER, message.idempotency_key)
        request.add_header(TIMESTAMP_HEADER, timestamp)
        request.add_header(SIGNATURE_HEADER, signature(self.secret, timestamp, message.payload))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as reply:
                status = reply.status
        except urllib.error.HTTPError as exc:
            # 4xx but 408/429 is the receiver refusing this message: retrying cannot help.
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise DeliveryError(f"HTTP {exc.code}", permanent=permanent) from None
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if not 200 <= status < 300:
            raise DeliveryError(f"HTTP {status}")
        accepted()
