"""A real HTTP receiver of signed webhooks, in a thread: it verifies each request's signature
and replay window as a unit's system would, and drops a delivery key it has seen."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from campaign_notifier.channels.webhook import DELIVERY_HEADER, verify


@dataclass
class WebhookInbox:
    secret: bytes
    accepted: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0
    refused: int = 0
    fail_next: int = 0  # answer 503 to this many requests first (a receiver having trouble)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def delivery_keys(self) -> list[str]:
        return [a["idempotency_key"] for a in self.accepted]


@contextmanager
def webhook_receiver(secret: bytes) -> Iterator[tuple[str, WebhookInbox]]:
    inbox = WebhookInbox(secret)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k: v for k, v in self.headers.items()}
            with inbox.lock:
                if inbox.fail_next > 0:
                    inbox.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                if not verify(inbox.secret, headers, body):
                    inbox.refused += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                key = headers[DELIVERY_HEADER]
                if key in inbox.delivery_keys():
                    inbox.duplicates += 1
                else:
                    inbox.accepted.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/campaign-notices", inbox
    finally:
        server.shutdown()
        server.server_close()
