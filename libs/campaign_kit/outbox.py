"""The transactional outbox: an event is stored with the change that caused it, then published.

A crash between the commit and the publish loses nothing: the relay publishes what is left at
the next flush or start. A crash after the publish but before marking it may publish an event
twice, so consumers deduplicate (by position, and by event id where a side effect is at stake).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka.errors import MessageSizeTooLargeError
from sqlalchemy import Connection, Table, delete, select, update

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
    """Publishes pending outbox rows in the order they were written.

    An event the broker can never take (larger than its message limit) is parked instead of
    blocking every event behind it for ever: it stays in the outbox table, marked, with an
    ERROR line naming it."""

    def __init__(self, db: Database, outbox: Table, publish: Publish, batch: int = 500) -> None:
        self.db = db
        self.outbox = outbox
        self.publish = publish
        self.batch = batch
        self._lock = asyncio.Lock()

    def _pending(self) -> Sequence[Any]:
        """The next batch waiting to be published, oldest first."""
        with self.db.begin() as connection:
            return connection.execute(
                select(self.outbox.c.id, self.outbox.c.topic, self.outbox.c.key,
                       self.outbox.c.payload)
                .where(self.outbox.c.published_at.is_(None))
                .order_by(self.outbox.c.id)
                .limit(self.batch)
            ).all()

    async def keep_publishing(self, every_s: float) -> None:
        """Publish what a failed flush left in the outbox (say, during a broker outage)."""
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.flush()
            except Exception:
                log.warning("outbox relay flush failed; retrying", exc_info=True)

    async def flush(self) -> int:
        """Publish everything pending; returns how many were published."""
        published = 0
        async with self._lock:  # one relay at a time keeps the order
            while True:
                rows = self._pending()
                if not rows:
                    return published
                for row in rows:
                    key = row.key.encode("utf-8") if row.key is not None else None
                    try:
                        await self.publish(row.topic, row.payload, key)
                    except MessageSizeTooLargeError:
                        self._park(row)
                with self.db.begin() as connection:
                    connection.execute(
                        update(self.outbox)
                        .where(self.outbox.c.id.in_([r.id for r in rows]))
                        .values(published_at=datetime.now(UTC))
                    )
                published += len(rows)

    def _park(self, row: Any) -> None:
        log.error("event too large for the broker: parked in the outbox table, not published",
                  extra={"outbox_id": row.id, "topic": row.topic, "bytes": len(row.payload)})
        with self.db.begin() as connection:
            connection.execute(update(self.outbox).where(self.outbox.c.id == row.id)
                               .values(published_at=datetime.now(UTC)))


SendNoWait = Callable[[str, bytes, bytes | None], Awaitable["asyncio.Future[Any]"]]
"""(topic, value, key) -> a future the broker's acknowledgement resolves (or fails)."""


def add_many_to_outbox(
    connection: Connection, outbox: Table, rows: Sequence[tuple[str, str | None, Event]]
) -> None:
    """Several (topic, key, event) rows in one statement."""
    if rows:
        connection.execute(outbox.insert(), [
            {"topic": topic, "key": key, "payload": event.to_bytes(), "published_at": None}
            for topic, key, event in rows
        ])


class PipelinedOutboxRelay(OutboxRelay):
    """An outbox relay for high volumes: it hands a whole batch to the producer, then waits for
    all the acknowledgements (one round trip per batch, not per event; the producer keeps the
    order within a partition), and deletes what was published, since the topic is the log and
    the outbox only a queue."""

    def __init__(
        self, db: Database, outbox: Table, send: SendNoWait, batch: int = 2000
    ) -> None:
        super().__init__(db, outbox, self._send_one, batch)
        self.send = send

    async def _send_one(self, topic: str, value: bytes, key: bytes | None) -> None:
        await (await self.send(topic, value, key))

    async def flush(self) -> int:
        published = 0
        async with self._lock:
            while True:
                rows = self._pending()
                if not rows:
                    return published
                pending, sent = [], []
                for row in rows:
                    try:
                        pending.append(await self.send(
                            row.topic, row.payload,
                            row.key.encode("utf-8") if row.key is not None else None))
                        sent.append(row.id)
                    except MessageSizeTooLargeError:
                        self._park(row)  # kept (marked), so the delete below spares it
                await asyncio.gather(*pending)  # raises if the broker refused any of them
                with self.db.begin() as connection:
                    connection.execute(delete(self.outbox).where(self.outbox.c.id.in_(sent)))
                published += len(rows)
