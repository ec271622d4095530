"""The kit's topic reader reads a topic as a log: every partition from its beginning to the end
it had when reading started, in order, in batches of the size asked; and it connects as the
service's subscribers do."""

from __future__ import annotations

import pytest
from kafka import KafkaProducer

from campaign_contracts.topics import Topic
from campaign_kit.settings import ServiceSettings
from campaign_kit.topic_reader import TopicReader
from campaign_kit.topics_admin import ensure_topics

pytestmark = pytest.mark.kafka


async def test_it_reads_each_partition_to_the_end_it_had_in_batches(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    topic = f"{topic_prefix}.reader.v1"
    ensure_topics(kafka_bootstrap, [Topic(topic, partitions=2, key="none")])
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    try:
        for i in range(250):
            producer.send(topic, value=f"r{i}".encode(), partition=i % 2)
        producer.flush()
    finally:
        producer.close()
    reader = TopicReader(kafka_bootstrap)
    assert await reader.end_offsets(topic) == {0: 125, 1: 125}
    assert await reader.end_offsets(f"{topic_prefix}.absent.v1") == {}

    sizes: list[int] = []
    seen: dict[int, list[bytes]] = {0: [], 1: []}
    async for batch in reader.batches(topic, 40, ends={0: 100, 1: 125}):
        sizes.append(len(batch))
        for record in batch:
            seen[record.partition].append(record.value or b"")
    assert max(sizes) <= 40
    assert seen[0] == [f"r{i}".encode() for i in range(0, 200, 2)]  # up to the end it was given
    assert seen[1] == [f"r{i}".encode() for i in range(1, 250, 2)]
    assert [b async for b in reader.batches(f"{topic_prefix}.absent.v1", 40)] == []


def test_it_connects_with_the_services_security_settings() -> None:
    settings = ServiceSettings(grpc_port=0, metrics_port=0, kafka_bootstrap_servers="k:9093",
                               kafka_security_protocol="SASL_PLAINTEXT",
                               kafka_sasl_username="metrics", kafka_sasl_password="s3cr3t")
    reader = TopicReader.of(settings)
    assert reader.bootstrap_servers == "k:9093"
    assert reader.options == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN",
                              "sasl_plain_username": "metrics",
                              "sasl_plain_password": "s3cr3t"}
