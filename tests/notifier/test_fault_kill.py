"""Kill -9 the notifier, as a separate process over the real broker, three times during a send
burst to a relay that is slow to close its sessions: afterwards every notice has arrived once
per Message-ID. A kill in the last instant (the relay stored the message, the notifier had not
yet read its 250) makes a resend with the same Message-ID, which the receiving side drops;
issue 9 found one duplicate per kill, each with a new Message-ID."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from kafka import KafkaProducer

from campaign.notifier.v1 import notifier_pb2, notifier_pb2_grpc
from campaign_contracts.topics import AWARD_DECISIONS, prefixed
from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer
from tests.notifier import builders as b
from tests.support.kafka_io import create_all_topics
from tests.support.reports import report

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

DECISIONS = 20
KILLS = 3


def notifier_process(tmp_path: Path, kafka_bootstrap: str, topic_prefix: str,
                     smtp: SmtpServer) -> ServiceProcess:
    return ServiceProcess("notifier", {
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_PREFIX": topic_prefix,
        "CONSUMER_GROUP": f"{topic_prefix}-notifier", "DATA_DIR": str(tmp_path / "notifier"),
        "SMTP_PORT": str(smtp.port), "DELIVERY_POLL_S": "0.2", "DELIVERY_RETRY_S": "1",
        # Inside the campaign's working day, whatever the wall clock says: no quiet hours.
        "CLOCK_START": "2025-01-15T09:00:00+07:00",
        "ACCESS_TOKENS": "operator-token-0123456789:operator", "LOG_LEVEL": "INFO",
    }, tmp_path / "notifier.log")


def test_kill_9_during_a_burst_loses_nothing_and_duplicates_nothing(
    kafka_bootstrap: str, topic_prefix: str, tmp_path: Path,
) -> None:
    create_all_topics(kafka_bootstrap, topic_prefix)
    units = ["VP", "QLVT", "KCHT", "TTRA", "KHTC"]
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    topic = prefixed(AWARD_DECISIONS, topic_prefix).name
    for n in range(DECISIONS):
        event = b.decided(units[n % len(units)], f"{n + 1}/QĐ-SGTVT")
        producer.send(topic, key=str(event.decision_id).encode(), value=event.to_bytes())
    producer.flush()
    producer.close()
    with SmtpServer(quit_delay_s=0.4) as smtp:
        notifier = notifier_process(tmp_path, kafka_bootstrap, topic_prefix, smtp)
        notifier.start()
        notifier.wait_serving()
        for kill in range(KILLS):
            smtp.inbox.wait_for(3 * (kill + 1), timeout=60)
            time.sleep(0.15 * kill)  # at different instants of a session
            assert notifier.process is not None
            notifier.process.kill()  # SIGKILL: no cleanup, mid-session
            notifier.process.wait()
            notifier.start()
            notifier.wait_serving()
        smtp.inbox.wait_for(DECISIONS, timeout=120)
        time.sleep(2)  # anything sent twice would arrive now
        ids = Counter(smtp.inbox.message_ids())
        with notifier.channel() as channel:
            log = notifier_pb2_grpc.NotifierServiceStub(channel).ListDeliveries(
                notifier_pb2.ListDeliveriesRequest(page_size=500),
                metadata=(("authorization", "Bearer operator-token-0123456789"),))
        notifier.stop()
    received = sum(ids.values())
    report("notifier kill -9 x3 during a burst",
           f"{DECISIONS} notices, {received} messages received, {len(ids)} distinct "
           f"Message-IDs, {received - len(ids)} resends after the last instant")
    deliveries = list(log.deliveries)
    assert len(deliveries) == DECISIONS
    assert {d.status for d in deliveries} == {"sent"}
    by_id = {f"<{d.idempotency_key}@sgtvt.langson.example>": d for d in deliveries}
    assert set(ids) == set(by_id)  # no loss, and nothing the log does not know
    # A message sent twice is only one the relay stored just before a kill, before the
    # notifier read its 250: the resend has the same Message-ID, so the receiving side drops
    # it; the log shows the interrupted attempt. Different Message-IDs (issue 9) would fail
    # the line above.
    assert received - len(ids) <= KILLS
    for message_id, count in ids.items():
        if count > 1:
            attempts = by_id[message_id].attempt_log
            assert attempts[0].outcome == "" and attempts[-1].outcome == "accepted"
