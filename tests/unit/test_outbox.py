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


async def test_an_event_too_large_for_the_broker_is_parked_not_blocking_the_rest() -> None:
    from aiokafka.errors import MessageSizeTooLargeError
    from sqlalchemy import select

    metadata = MetaData()
    outbox = outbox_table(metadata)
    db = Database("sqlite://", metadata)
    db.create_schema()
    published: list[bytes | None] = []

    async def publish(topic: str, value: bytes, key: bytes | None) -> None:
        if len(value) > 10_000:
            raise MessageSizeTooLargeError("larger than max_request_size")
        published.append(key)

    with db.begin() as connection:
        for i, size in enumerate((10, 50_000, 10)):
            add_to_outbox(connection, outbox, "dlq", f"H{i}", PortalRecordDeadLettered(
                producer="test", reason="too_large", detail="x", source=f"t/0/{i}",
                original=b"x" * size))
    relay = OutboxRelay(db, outbox, publish)
    await relay.flush()
    assert published == [b"H0", b"H2"]  # the one behind the oversized event went too
    assert await relay.flush() == 0  # nothing left waiting: the big one is parked
    with db.begin() as connection:
        kept = connection.execute(select(outbox.c.key)).scalars().all()
    assert "H1" in kept  # still in the table for an operator
