"""Wiring of tracked subscribers and declared publishers, the same way for every service.

Every subscriber runs with AckPolicy.MANUAL deliberately: the position stored with the
projection is the committed offset (see campaign_kit.consumer), so FastStream commits nothing
and a failed record is rewound rather than acknowledged.
"""

# No `from __future__ import annotations` here: FastStream reads the handler's annotations at
# definition time to build the AsyncAPI payload schema and to parse the body.
import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiokafka import ConsumerRecord
from fast_depends.pydantic._compat import create_model, get_config_base
from faststream import AckPolicy
from faststream.exceptions import SkipMessage
from faststream.kafka import KafkaBroker
from faststream.kafka.annotations import KafkaMessage
from faststream.specification.asyncapi.message import get_model_schema
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection

from campaign_contracts.dead_letters import EventDeadLettered
from campaign_contracts.topics import dead_letter_name
from campaign_kit.consumer import ApplyBatch, PublishDeadLetter, TrackedConsumer
from campaign_kit.outbox import OutboxRelay, SendNoWait

E = TypeVar("E", bound=BaseModel)
log = logging.getLogger(__name__)
ApplyEvent = Callable[[Connection, Any], None]


def _options(broker: KafkaBroker, topic: str, tracked: TrackedConsumer, group: str,
             title: str, description: str, **options: Any) -> Any:
    listener = tracked.resume_listener()
    subscriber = broker.subscriber(
        topic,
        group_id=group,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        listener=listener,
        title=title,
        description=description,
        **options,
    )
    listener.bind(subscriber)
    return subscriber


MAX_DEAD_LETTER_ORIGINAL = 256 * 1024  # base64 of it must fit a Kafka message with room


def dead_letter_publisher(broker: KafkaBroker, consumer: str) -> PublishDeadLetter:
    """Publishes an unreadable record to its topic's dead-letter topic as EventDeadLettered."""

    async def publish(record: ConsumerRecord[bytes, bytes], reason: str, detail: str) -> None:
        original = record.value or b""
        if len(original) > MAX_DEAD_LETTER_ORIGINAL:
            detail = f"{detail} (original of {len(original)} bytes cut to its first " \
                     f"{MAX_DEAD_LETTER_ORIGINAL})"
            original = original[:MAX_DEAD_LETTER_ORIGINAL]
        letter = EventDeadLettered(
            producer=consumer.split(".")[0], consumer=consumer, reason=reason, detail=detail,
            source=f"{record.topic}/{record.partition}/{record.offset}",
            key=record.key.decode("utf-8", "replace") if record.key else None,
            original=original,
        )
        await broker.publish(letter.to_bytes(), topic=dead_letter_name(record.topic),
                             key=record.key, headers={"content-type": "application/json"})

    return publish


def unreadable(exc: ValidationError) -> tuple[str, str]:
    """Reason code and detail of an event that does not parse."""
    errors = exc.errors()
    reason = "not_json" if any(e["type"] == "json_invalid" for e in errors) else "invalid_event"
    detail = "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or '(body)'}: {e['msg']}" for e in errors[:5]
    )
    return reason, detail


def _event_decoder(model: type[BaseModel], tracked: TrackedConsumer,
                   publish: PublishDeadLetter) -> Callable[[Any], Awaitable[Any]]:
    """Parses each event itself (old schema versions upcast by the model): an unreadable one
    is dead-lettered with the reason and skipped, where FastStream would only log it."""

    async def decode(message: Any) -> Any:
        try:
            return model.model_validate_json(message.body)
        except ValidationError as exc:
            reason, detail = unreadable(exc)
        await tracked.dead_letter(message, reason, detail, publish)
        raise SkipMessage

    return decode


def subscribe_events(
    broker: KafkaBroker, topic: str, model: type[E], tracked: TrackedConsumer, group: str,
    apply: Callable[[Connection, E], None], relay: OutboxRelay | None,
    after: Callable[[], Awaitable[None]] | None = None, description: str = "",
) -> None:
    """Subscribe `apply(connection, event)` to a topic of `model` events, exactly once; an
    event that does not parse goes to the topic's dead-letter topic with the reason."""
    decoder = _event_decoder(model, tracked, dead_letter_publisher(broker, tracked.name))
    subscriber = _options(broker, topic, tracked, group, f"{group}:{topic}", description,
                          decoder=decoder)

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


def subscribe_event_batches(
    broker: KafkaBroker, topic: str, model: type[E], tracked: TrackedConsumer, group: str,
    apply: Callable[[Connection, Sequence[E]], None], relay: OutboxRelay | None, *,
    max_records: int, batch_timeout_ms: int = 100,
    after: Callable[[], Awaitable[None]] | None = None, description: str = "",
) -> Any:
    """Subscribe `apply(connection, events)` to batches of `model` events, exactly once: one
    transaction per batch with its positions, `after` awaited once a batch is applied. An
    event that does not parse goes to the topic's
    dead-letter topic with the reason (before the batch is applied; its position is stored with
    the batch, so it is sent again only if the batch fails)."""
    publish = dead_letter_publisher(broker, tracked.name)
    parsed: dict[tuple[str, int, int], E] = {}

    async def prepare(records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        parsed.clear()
        for record in tracked.unseen(records):
            try:
                parsed[(record.topic, record.partition, record.offset)] = \
                    model.model_validate_json(record.value or b"")
            except ValidationError as exc:
                reason, detail = unreadable(exc)
                await publish(record, reason, detail)
                tracked.metrics.dead_lettered.labels(tracked.name, record.topic, reason).inc()
                log.warning("event dead-lettered", extra={
                    "consumer": tracked.name, "topic": record.topic,
                    "partition": record.partition, "offset": record.offset, "reason": reason,
                    "detail": detail[:500]})

    def apply_parsed(connection: Connection,
                     records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        found = (parsed.get((r.topic, r.partition, r.offset)) for r in records)
        apply(connection, [event for event in found if event is not None])

    async def after_batch(_applied: Sequence[Any]) -> None:
        if after is not None:
            await after()

    subscriber = subscribe_raw_batch(
        broker, topic, tracked, group, apply_parsed, relay, max_records=max_records,
        batch_timeout_ms=batch_timeout_ms, after=after_batch, description=description,
        prepare=prepare)
    _document_payload(subscriber, model)
    return subscriber


def _document_payload(subscriber: Any, model: type[BaseModel]) -> None:
    """Name `model` as the payload in the AsyncAPI document. The handler takes raw bytes (it
    parses and dead-letters itself), so FastStream would document a payload without a schema
    and integrators would lose the event's fields. The specification object has slots, so its
    class is swapped for one that answers with the model's schema."""
    specification = subscriber.specification
    title = specification.config.title_ or specification.call_name

    class Documented(type(specification)):  # type: ignore[misc]
        __slots__ = ()

        def get_payloads(self) -> list[tuple[dict[str, Any], str]]:
            body = get_model_schema(
                call=create_model("", __config__=get_config_base(), response__=(model, ...)),
                prefix=f"{title}:Message")
            return [(body or {}, "")]

    specification.__class__ = Documented


async def _raw_bodies(message: Any) -> Any:
    """Decoder that leaves each record's bytes alone: the handler validates them itself, and
    FastStream's default would parse every JSON body once more for nothing."""
    return message.body


def subscribe_raw_batch(
    broker: KafkaBroker, topic: str, tracked: TrackedConsumer, group: str, apply: ApplyBatch,
    relay: OutboxRelay | None, *, max_records: int, batch_timeout_ms: int = 100,
    before: Callable[[], Awaitable[None]] | None = None,
    after: Callable[[Sequence[Any]], Awaitable[None]] | None = None, description: str = "",
    prepare: Callable[[Sequence[Any]], Awaitable[None]] | None = None,
    **consumer_options: Any,
) -> Any:
    """Subscribe `apply(connection, records)` to batches of raw records (bad ones are the
    handler's to dead-letter), exactly once: one transaction per batch with its positions.
    `before` is awaited ahead of each batch (e.g. until the service is ready to apply it),
    `after` gets the records applied, `prepare` each batch before it is applied (see
    `TrackedConsumer.handle_batch`). Returns the subscriber (its `consumer` answers lag
    questions once started)."""
    listener = tracked.resume_listener()
    subscriber = broker.subscriber(
        topic,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=batch_timeout_ms,
        group_id=group,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        listener=listener,
        decoder=_raw_bodies,
        title=f"{group}:{topic}",
        description=description,
        **consumer_options,
    )
    listener.bind(subscriber)

    async def handle(records: list[bytes], message: KafkaMessage) -> None:
        if before is not None:
            await before()
        applied = await tracked.handle_batch(message, apply, prepare)
        if applied:
            if relay is not None:
                await relay.flush()
            if after is not None:
                await after(applied)

    subscriber(handle)
    return subscriber


def declare_pipelined_publishers(
    broker: KafkaBroker, events: dict[str, type[BaseModel]], service: str
) -> SendNoWait:
    """Like `declare_publishers`, but the function it returns hands the message to the producer
    and returns at once with a future: a relay sends a whole batch, then waits for all the
    acknowledgements, instead of one round trip per event."""
    publishers = {
        topic: broker.publisher(topic, title=f"{service}:{topic}", schema=model,
                                description=(model.__doc__ or "").strip())
        for topic, model in events.items()
    }

    async def send(topic: str, value: bytes, key: bytes | None) -> "asyncio.Future[Any]":
        future: asyncio.Future[Any] = await publishers[topic].publish(
            value, key=key, headers={"content-type": "application/json"}, no_confirm=True
        )
        return future

    return send


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
