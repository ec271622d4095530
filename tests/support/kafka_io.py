"""Producing and reading topics with kafka-python, as a portal or an operator would."""

from __future__ import annotations

import json
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from campaign_contracts.topics import ALL_TOPICS, prefixed
from campaign_kit.topics_admin import ensure_topics


def create_all_topics(bootstrap: str, prefix: str) -> None:
    ensure_topics(bootstrap, [prefixed(t, prefix) for t in ALL_TOPICS])


def producer(bootstrap: str) -> KafkaProducer:
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)


def read_all(bootstrap: str, topic: str, expect: int, timeout_s: float = 30.0) -> list[Any]:
    """Read a topic from the beginning until `expect` JSON values arrived (or time runs out)."""
    consumer = KafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False, consumer_timeout_ms=int(timeout_s * 1000),
    )
    values: list[Any] = []
    try:
        for message in consumer:
            values.append(json.loads(message.value))
            if len(values) >= expect:
                break
    finally:
        consumer.close()
    return values
