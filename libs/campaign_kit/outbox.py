"""The transactional outbox: an event is stored with the change that caused it, then published.

A crash between the commit and the publish loses nothing: the relay publishes what is left at
the next flush or start. A crash after the publish but before marking it may publish an event
twice, so consumers deduplicate (by position, and by event id where a side effect is at stake).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Table, select, update

from campaign_contracts.envelope import Event
from campaign_kit.db import Database

log = logging.getLogger(__name__)

Publish = Callable[[str, bytes, bytes | None], Awaitable[None]]
"""(topic, value, key) -> None; raises when the broker did not take it."""


def add_to_outbox(
    connection: Connection, outbox: Table, topic: str, key: str, event: Event
) -> None:
    connection.execute(
        outbox.insert().values(topic=topic, key=key, payload=event.to_bytes(), published_at=None)
    )


class OutboxRelay:
    """Publishes pending outbox rows in the order they were written."""

    def __init__(self, db: Database, outbox: Table, publish: Publish, batch: int = 500) -> None:
        self.db = db
        self.outbox = outbox
        self.publish = publish
        self.batch = batch
        self._lock = asyncio.Lock()

    async def flush(self) -> int:
        """Publish everything pending; returns how many were published."""
        published = 0
        async with self._lock:  # one relay at a time keeps the order
            while True:
                with self.db.begin() as connection:
                    rows = connection.execute(
                        select(self.outbox.c.id, self.outbox.c.topic, self.outbox.c.key,
                               self.outbox.c.payload)
                        .where(self.outbox.c.published_at.is_(None))
                        .order_by(self.outbox.c.id)
                        .limit(self.batch)
                    ).all()
                if not rows:
                    return published
                for row in rows:
                    key = row.key.encode("utf-8") if row.key is not None else None
                    await self.publish(row.topic, row.payload, key)
                with self.db.begin() as connection:
                    connection.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id.in_([r.id for r in rows]))
                        .values(published_at=datetime.now(UTC))
                    )
                published += len(rows)
