"""The envelope every event carries: identity, type, schema version, time, and lineage."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


def utc_now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Base of every event. Each subclass fixes `event_type` and `schema_version` as literals
    (so a topic carrying several types parses as a discriminated union) and adds a payload.

    Lineage follows the usual rule: an event emitted while handling another copies its
    correlation id and takes the other's event id as causation id (see `caused_by`).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4, description="Unique id of this event")
    event_type: str = Field(description="Name of the event, past tense")
    schema_version: int = Field(description="Version of this event's schema")
    occurred_at: AwareDatetime = Field(default_factory=utc_now, description="When it happened")
    producer: str = Field(description="Service that emitted it", examples=["metrics"])
    correlation_id: uuid.UUID = Field(
        default_factory=uuid.uuid4, description="Id shared by every event of one flow"
    )
    causation_id: uuid.UUID | None = Field(
        default=None, description="Id of the event (or record) that caused this one"
    )

    @classmethod
    def caused_by(cls, cause: Event, *, producer: str, **fields: Any) -> Self:
        """A new event that continues `cause`'s flow."""
        return cls(
            producer=producer,
            correlation_id=cause.correlation_id,
            causation_id=cause.event_id,
            **fields,
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json().encode("utf-8")
