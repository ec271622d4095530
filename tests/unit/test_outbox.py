"""The outbox relay: an event the broker refused stays in the outbox and is published by the
relay's periodic retry, in order, once."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy import MetaData

from campaign_contracts.events import PortalRecordDeadLettered
from campaign_kit.db import Database, outbox_table
from campaign_kit.outbox import OutboxRelay, add_to_outbox


async def test_a_refused_publish_is_retried_by_the_relay_until_it_goes() -> None:
    metadata = MetaData()
    outbox = outbox_table(metadata)
    db = Database("sqlite://", metadata)
    db.create_schema()
    published: list[tuple[str, bytes | None]] = []
    broker_up = False

    async def publish(topic: str, value: bytes, key: bytes | None) -> None:
        if not broker_up:
            raise ConnectionError("broker unreachable")
        published.append((topic, key))

    events = [PortalRecordDeadLettered(producer="test", reason="bad_time", detail="x",
                                       source=f"t/0/{i}", original=b"{}") for i in range(2)]
    with db.begin() as connection:
        for i, event in enumerate(events):
            add_to_outbox(connection, outbox, "dlq", f"H{i}", event)
    relay = OutboxRelay(db, outbox, publish)
    retrying = asyncio.create_task(relay.keep_publishing(0.01))
    try:
        await asyncio.sleep(0.05)
        assert published == []  # refused: still waiting in the outbox
        broker_up = True
        for _ in range(100):
            if len(published) == 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
    finally:
        retrying.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await retrying
    assert published == [("dlq", b"H0"), ("dlq", b"H1")]
    assert await relay.flush() == 0
