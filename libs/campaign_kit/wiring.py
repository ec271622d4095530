"""Wiring of tracked subscribers and declared publishers, the same way for every service.

Every subscriber runs with AckPolicy.MANUAL deliberately: the position stored with the
projection is the committed offset (see campaign_kit.consumer), so FastStream commits nothing
and a failed record is rewound rather than acknowledged.
"""

# No `from __future__ import annotations` here: FastStream reads the handler's annotations at
# definition time to build the AsyncAPI payload schema and to parse the body.
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from pydantic import BaseModel
from sqlalchemy import Connection

from campaign_kit.consumer import TrackedConsumer
from campaign_kit.outbox import OutboxRelay

E = TypeVar("E", bound=BaseModel)
ApplyEvent = Callable[[Connection, Any], None]


def _options(broker: KafkaBroker, topic: str, tracked: TrackedConsumer, group: str,
             title: str, description: str) -> Any:
    listener = tracked.resume_listener()
    subscriber = broker.subscriber(
        topic,
        group_id=group,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        listener=listener,
        title=title,
        description=description,
    )
    listener.bind(subscriber)
    return subscriber


def subscribe_events(
    broker: KafkaBroker, topic: str, model: type[E], tracked: TrackedConsumer, group: str,
    apply: Callable[[Connection, E], None], relay: OutboxRelay | None,
    after: Callable[[], Awaitable[None]] | None = None, description: str = "",
) -> None:
    """Subscribe `apply(connection, event)` to a topic of `model` events, exactly once."""
    subscriber = _options(broker, topic, tracked, group, f"{group}:{topic}", description)

    async def handle(event: model, message: KafkaMessage) -> None:  # type: ignore[valid-type]
        applied = await tracked.handle(message, lambda conn, _record: apply(conn, event))
        if applied:
            if relay is not None:
                await relay.flush()
            if after is not None:
                await after()

    handle.__name__ = f"on_{model.__name__}"
    subscriber(handle)


def subscribe_raw(
    broker: KafkaBroker, topic: str, tracked: TrackedConsumer, group: str,
    apply: Callable[[Connection, Any], None], relay: OutboxRelay | None, description: str = "",
) -> None:
    """Subscribe `apply(connection, record)` to raw records (bad ones are the handler's to
    dead-letter), exactly once."""
    subscriber = _options(broker, topic, tracked, group, f"{group}:{topic}", description)

    async def handle(message: KafkaMessage) -> None:
        if await tracked.handle(message, apply) and relay is not None:
            await relay.flush()

    subscriber(handle)


def declare_publishers(
    broker: KafkaBroker, events: dict[str, type[BaseModel]], service: str
) -> Callable[[str, bytes, bytes | None], Awaitable[None]]:
    """Declare a publisher object per output topic (so each appears, with its event schema, in
    the service's AsyncAPI document) and return the publish function the outbox relay uses."""
    publishers = {
        topic: broker.publisher(topic, title=f"{service}:{topic}", schema=model,
                                description=(model.__doc__ or "").strip())
        for topic, model in events.items()
    }

    async def publish(topic: str, value: bytes, key: bytes | None) -> None:
        await publishers[topic].publish(
            value, key=key, headers={"content-type": "application/json"}
        )

    return publish
