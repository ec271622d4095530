"""Ingest's batches on the real broker: each record lands on the partition a keyed send would
have chosen, a dossier's records keep their order, a stream larger than a batch is split into
several, a record larger than a batch goes alone, and nothing is lost."""

from __future__ import annotations

import uuid

import pytest
from aiokafka.partitioner import DefaultPartitioner
from faststream.kafka import KafkaBroker
from kafka import KafkaConsumer
from kafka.admin import KafkaAdminClient, NewTopic

from campaign_kit.runtime import PRODUCER_BATCH_BYTES as BATCH_BYTES
from campaign_metrics.adapters.inbound_batches import inbound_sender

pytestmark = pytest.mark.kafka


async def test_records_land_where_a_keyed_send_puts_them_in_order(kafka_bootstrap: str) -> None:
    topic = f"t{uuid.uuid4().hex[:10]}.portal.dossier-records.v1"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(topic, 3, 1)])
    finally:
        admin.close()
    broker = KafkaBroker(kafka_bootstrap, max_batch_size=BATCH_BYTES)  # as the kit makes it
    batches = inbound_sender(broker, topic, "test")()
    pad = "x" * 4000
    count = 3 * 3 * BATCH_BYTES // 4000  # about three batches' worth for each partition
    sent = [(f"HS-{i % 40}".encode(), f'{{"n": {i}, "pad": "{pad}"}}'.encode())
            for i in range(count)]
    sent.insert(count // 2, (b"HS-7", b'{"pad": "' + b"y" * (BATCH_BYTES + 1) + b'"}'))
    await broker.start()
    try:
        await batches.start()
        futures = []
        for key, value in sent:
            futures += await batches.add(key, value)
        futures += await batches.close()
        for future in futures:
            await future
    finally:
        await broker.stop()
    assert len(futures) >= 9  # split into several batches per partition, none refused
    consumer = KafkaConsumer(topic, bootstrap_servers=kafka_bootstrap,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=3000)
    try:
        read = list(consumer)
        got = [(m.partition, m.offset, m.key, m.value) for m in read]
    finally:
        consumer.close()
    assert sorted(value for *_, value in got) == sorted(value for _, value in sent)
    # As a FastStream publish would have sent them.
    assert {tuple(m.headers) for m in read} == {(("content-type", b"application/json"),)}
    choose = DefaultPartitioner()
    assert all(partition == choose(key, [0, 1, 2], [0, 1, 2])
               for partition, _, key, _ in got)
    for key in {key for key, _ in sent}:
        in_log = [value for _, _, k, value in sorted(got) if k == key]
        assert in_log == [value for k, value in sent if k == key]
