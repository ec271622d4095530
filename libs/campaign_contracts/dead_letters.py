"""Events that could not be read from an internal topic, kept with the reason and their bytes.

Each internal topic has a dead-letter topic next to it (`dead_letter_of` in topics): a consumer
that cannot parse an event publishes it there and moves on, instead of skipping it silently or
retrying it forever."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from campaign_contracts.envelope import Event


class EventDeadLettered(Event):
    """An event a consumer could not read: the reason, where it was read, and its bytes."""

    event_type: Literal["EventDeadLettered"] = "EventDeadLettered"
    schema_version: Literal[1] = 1
    consumer: str = Field(description="The consumer that refused it", examples=["awards.standings"])
    reason: str = Field(description="Reason code", examples=["not_json", "invalid_event"])
    detail: str = Field(description="What is wrong, for the operator")
    source: str = Field(description="Where it was read: topic/partition/offset")
    key: str | None = Field(default=None, description="Message key as sent")
    original: bytes = Field(description="The message exactly as read (base64 in JSON)")

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
