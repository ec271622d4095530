"""Topics are created explicitly, with their partitions and retention, on a broker that does not
create topics by itself."""

from __future__ import annotations

import pytest
from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from kafka.errors import KafkaTimeoutError

from campaign_contracts.topics import ALL_TOPICS, prefixed
from campaign_kit.topics_admin import ensure_topics

pytestmark = pytest.mark.kafka


def test_topics_are_created_once_with_partitions_and_infinite_retention(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topics = [prefixed(t, topic_prefix) for t in ALL_TOPICS]
    assert sorted(ensure_topics(kafka_bootstrap, topics)) == sorted(t.name for t in topics)
    assert ensure_topics(kafka_bootstrap, topics) == []  # idempotent
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        described = {d["name"]: d for d in admin.describe_topics([t.name for t in topics])}
        for topic in topics:
            assert len(described[topic.name]["partitions"]) == topic.partitions
        configs = admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics[0].name)]
        )
        assert configs["topic"][topics[0].name]["retention.ms"]["value"] == "-1"
    finally:
        admin.close()


def test_the_broker_does_not_create_topics_on_first_use(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, max_block_ms=3000)
    try:
        with pytest.raises(KafkaTimeoutError):
            producer.send(f"{topic_prefix}.never-created", b"x").get(timeout=5)
    finally:
        producer.close(timeout=5)
