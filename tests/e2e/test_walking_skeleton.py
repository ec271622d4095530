"""One real flow through the four services, each a separate process, over the real broker:
portal records -> metrics (K3) -> awards (standings) -> notifier (e-mail over real SMTP), with
dossiers keeping the nominee's figures. Also: dead letters, gRPC health and queries, /metrics,
and a restart that resumes from stored positions without a second e-mail. The notifier tells a
unit of a target only once the crossing has settled (24 campaign hours at an evaluation time;
its campaign clock runs an hour a second here, see tests/e2e/conftest.py)."""

from __future__ import annotations

import time
import urllib.request

import pytest

from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from campaign.dossiers.v1 import dossiers_pb2, dossiers_pb2_grpc
from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign.notifier.v1 import notifier_pb2, notifier_pb2_grpc
from campaign_contracts.topics import PORTAL_RECORDS, PORTAL_RECORDS_DEAD_LETTER, prefixed
from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer
from tests.e2e.conftest import NOTIFIER_TOKEN
from tests.support.kafka_io import producer, read_all
from tests.support.records import encode, portal_record
from tests.support.reports import report

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]

def test_a_unit_reaching_its_k3_target_gets_one_email(
    services: dict[str, ServiceProcess], smtp: SmtpServer, kafka_bootstrap: str,
    topic_prefix: str,
) -> None:
    inbound = prefixed(PORTAL_RECORDS, topic_prefix).name
    portal = producer(kafka_bootstrap)
    # 11 unpaid and 8 paid online (8/19 = 42%), then one more paid: 9/20 = 45% reaches K3.
    # Filed in person (channel 1), so that K1 and K2 stay below their targets: only K3 speaks.
    first = [portal_record(f"QLVT-{i:03}", paid=0, channel=1) for i in range(11)]
    first += [portal_record(f"QLVT-{i:03}", paid=1 + i % 2, channel=1) for i in range(11, 19)]
    first.append(portal_record("VP-001", unit="VP", procedure="GTVT.VP.01", paid=0, channel=1))
    # One partition, so that the unpaid records come first: across partitions records have no
    # global order, and a burst could cross the target on the way to 8/19.
    for record in first:
        portal.send(inbound, key=record["MaHoSo"].encode(), value=encode(record), partition=0)
    portal.send(inbound, key=b"BAD-1", value=b'{"MaHoSo": "BAD-1", "KenhThucHien": 9}')
    portal.flush()
    _wait_until(lambda: _k3(services["metrics"], "QLVT") == (8, 19), 60)
    assert smtp.inbox.messages == []
    sent_at = time.monotonic()
    last = portal_record("QLVT-019", paid=1, channel=1)
    portal.send(inbound, key=b"QLVT-019", value=encode(last))
    portal.flush()

    (mail,) = smtp.inbox.wait_for(1, timeout=90)
    latency = mail.arrived_at - sent_at
    report("e2e portal record -> settled notice (24 campaign hours at 3600x)",
           f"{latency * 1000:.0f} ms")
    assert mail.message["To"] == (
        '"Trưởng phòng Quản lý vận tải, phương tiện và người lái" <qlvt@sgtvt.langson.example>')
    assert mail.message["Subject"] == (
        "[Thi đua] Phòng Quản lý vận tải, phương tiện và người lái đạt chỉ tiêu K3: 45,00%"
    )
    plain = mail.message.get_body(preferencelist=("plain",))
    body = plain.get_content().replace("\r\n", "\n")  # type: ignore[union-attr]
    # "(9/20 hồ sơ)" once metrics names what K3 counts (IndicatorUpdated.counted_unit).
    assert "- K3 – Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG: 45,00% (9/20" in body
    assert "chỉ tiêu ≥ 45,00%." in body
    assert "Việc cần làm tiếp:" in body

    dead = read_all(kafka_bootstrap, prefixed(PORTAL_RECORDS_DEAD_LETTER, topic_prefix).name, 1)
    assert dead[0]["reason"] == "missing_field" and dead[0]["key"] == "BAD-1"

    (k3,) = [v for v in _indicators(services["metrics"], "QLVT")
             if v.indicator == "K3" and v.period_kind == "campaign"]
    assert (k3.numerator, k3.denominator, k3.rate, k3.target_met) == (9, 20, "0.4500", True)

    with services["awards"].channel() as channel:
        standings = awards_pb2_grpc.AwardsServiceStub(channel).GetStandings(
            awards_pb2.GetStandingsRequest())
    assert [(r.rank, r.unit_code) for r in standings.rows][:2] == [(1, "QLVT"), (2, "VP")]

    with services["dossiers"].channel() as channel:
        figures = dossiers_pb2_grpc.DossiersServiceStub(channel).GetNomineeFigures(
            dossiers_pb2.GetNomineeFiguresRequest(subject_kind="unit", subject_code="QLVT"))
    k3_figures = [(f.numerator, f.denominator) for f in figures.figures if f.indicator == "K3"]
    assert k3_figures == [(9, 20)]

    deliveries = [d for d in _deliveries(services["notifier"]) if d.rule == "target_settled"]
    assert [(d.status, d.attempts, d.recipient) for d in deliveries] == [
        ("sent", 1, "qlvt@sgtvt.langson.example")]

    scraped = _scrape(services["metrics"])
    assert "portal_records_total 22.0" in scraped
    assert 'portal_records_rejected_total{reason="missing_field"} 1.0' in scraped
    assert 'indicator_rate{indicator="K3",subject_code="QLVT",subject_kind="unit"} 0.45' in scraped
    assert "faststream_received_messages_total" in scraped

    # A graceful restart resumes from the stored positions: nothing is applied twice.
    assert services["notifier"].stop() == 0
    assert services["awards"].stop() == 0
    services["awards"].start()
    services["notifier"].start()
    services["awards"].wait_serving()
    services["notifier"].wait_serving()
    # VP's records make VP reach K3 (20/21, enough dossiers to judge): VP hears of it once it
    # has settled, QLVT is not told again.
    for i in range(2, 22):
        more = portal_record(f"VP-{i:03}", unit="VP", procedure="GTVT.VP.01", paid=1, channel=1)
        portal.send(inbound, key=more["MaHoSo"].encode(), value=encode(more))
    portal.flush()
    second = smtp.inbox.wait_for(2, timeout=90)[1]
    assert "vanphong@sgtvt.langson.example" in second.message["To"]
    time.sleep(1)
    settled = [m for m in smtp.inbox.messages if "đạt chỉ tiêu" in m.message["Subject"]]
    assert [m.message["To"].addresses[0].addr_spec for m in settled] == [
        "qlvt@sgtvt.langson.example", "vanphong@sgtvt.langson.example"]
    assert len([d for d in _deliveries(services["notifier"])
                if d.rule == "target_settled"]) == 2
    portal.close()


def _indicators(metrics: ServiceProcess, unit: str) -> list[metrics_pb2.IndicatorValue]:
    with metrics.channel() as channel:
        return list(metrics_pb2_grpc.MetricsServiceStub(channel).GetIndicators(
            metrics_pb2.GetIndicatorsRequest(subject_kind="unit", subject_code=unit)).values)


def _k3(metrics: ServiceProcess, unit: str) -> tuple[int, int] | None:
    values = [v for v in _indicators(metrics, unit) if v.indicator == "K3"]
    return (values[0].numerator, values[0].denominator) if values else None


def _deliveries(notifier: ServiceProcess) -> list[notifier_pb2.Delivery]:
    with notifier.channel() as channel:
        return list(notifier_pb2_grpc.NotifierServiceStub(channel).ListDeliveries(
            notifier_pb2.ListDeliveriesRequest(),
            metadata=(("authorization", f"Bearer {NOTIFIER_TOKEN}"),)).deliveries)


def _scrape(service: ServiceProcess) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{service.metrics_port}/metrics") as reply:
        return str(reply.read().decode("utf-8"))


def _wait_until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.2)
    raise TimeoutError("condition not met in time")
