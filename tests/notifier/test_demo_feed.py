"""Issue 9's demo, run twice: the seed campaign's shuffled demo feed (3,000 records) through the
metrics service and the notifier as processes over the real broker, the notifier's campaign
clock replaying early December 2024 at a campaign hour a second. Both runs send the same
messages, and every "target reached" matches the unit's final figure."""

from __future__ import annotations

import time
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from kafka import KafkaProducer

from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.topics import PORTAL_RECORDS, prefixed
from devkit.feed import demo_feed
from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer
from tests.support.kafka_io import create_all_topics
from tests.support.reports import report

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]

RECORDS = 3000
TARGET_SUBJECT = " đạt chỉ tiêu K"


def _counted(metrics: ServiceProcess) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{metrics.metrics_port}/metrics") as reply:
        for line in reply.read().decode("utf-8").splitlines():
            if line.startswith("portal_records_total "):
                return float(line.split()[1])
    return 0.0


def _final_met(metrics: ServiceProcess) -> set[tuple[str, str]]:
    """(unit name, indicator) of every target the final figures meet over the campaign."""
    campaign = load_campaign()
    met = set()
    with metrics.channel() as channel:
        stub = metrics_pb2_grpc.MetricsServiceStub(channel)
        for unit in campaign.units:
            for value in stub.GetIndicators(metrics_pb2.GetIndicatorsRequest(
                    subject_kind="unit", subject_code=unit.code)).values:
                if value.period_kind == "campaign" and value.denominator and (
                        Decimal(value.numerator) / value.denominator >= Decimal(value.target)):
                    met.add((unit.name, value.indicator))
    return met


def run(kafka_bootstrap: str, prefix: str, work: Path) -> tuple[list[tuple[str, str, str]],
                                                                 set[tuple[str, str]]]:
    create_all_topics(kafka_bootstrap, prefix)
    work.mkdir(parents=True)
    common = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_PREFIX": prefix,
              "LOG_LEVEL": "WARNING"}
    with SmtpServer(mail_dir=work / "mail") as smtp:
        metrics = ServiceProcess("metrics", {**common, "DATA_DIR": str(work / "metrics"),
                                             "CONSUMER_GROUP": f"{prefix}-metrics"},
                                 work / "metrics.log")
        notifier = ServiceProcess("notifier", {
            **common, "DATA_DIR": str(work / "notifier"), "CONSUMER_GROUP": f"{prefix}-n",
            "SMTP_PORT": str(smtp.port), "DELIVERY_POLL_S": "0.5",
            # The whole feed passes in well under a campaign day (the settle window).
            "CLOCK_START": "2024-12-02T09:00:00+07:00", "CLOCK_SPEED": "3600",
        }, work / "notifier.log")
        for process in (metrics, notifier):
            process.start()
        try:
            for process in (metrics, notifier):
                process.wait_serving()
            started = time.monotonic()
            producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all",
                                     linger_ms=20)
            inbound = prefixed(PORTAL_RECORDS, prefix).name
            for key, value in demo_feed(load_campaign(), RECORDS):
                producer.send(inbound, key=key.encode("utf-8"), value=value)
            producer.flush()
            producer.close()
            while _counted(metrics) < RECORDS:
                time.sleep(0.5)
            fed = time.monotonic() - started
            report("demo feed through metrics (campaign hours at 3600x)",
                   f"{RECORDS} records in {fed:.1f}s = {fed:.1f} campaign hours")
            assert fed < 20, "the feed must pass within the settle window (24 campaign hours)"
            # By 12-04 08:00 (47 campaign hours) every figure final in the first hours has
            # held a day at an evaluation time.
            time.sleep(max(0.0, started + 47 + 5 - time.monotonic()))
            final = _final_met(metrics)
        finally:
            for process in (notifier, metrics):
                process.stop()
        messages = [(r.message["To"].addresses[0].addr_spec, str(r.message["Subject"]),
                     r.message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
                    for r in smtp.inbox.messages]
    return messages, final


@pytest.mark.timeout(600)
def test_two_demo_runs_send_the_same_messages_and_no_false_target(
    kafka_bootstrap: str, tmp_path: Path,
) -> None:
    first, final = run(kafka_bootstrap, "demoa", tmp_path / "a")
    second, _ = run(kafka_bootstrap, "demob", tmp_path / "b")
    reached = [subject for _, subject, _ in first if TARGET_SUBJECT in subject]
    report("demo feed notices", f"{len(first)} messages, {len(reached)} targets reached: "
           + "; ".join(s.split("] ")[1] for s in reached))
    assert sorted(first) == sorted(second)
    assert reached, "the demo feed has units that meet targets"
    campaign = load_campaign()
    for subject in reached:
        unit_name, indicator = subject.split("] ")[1].split(TARGET_SUBJECT)
        assert (unit_name, "K" + indicator.split(":")[0]) in final, subject
    assert len({n for n, _ in final}) <= len(campaign.units)
