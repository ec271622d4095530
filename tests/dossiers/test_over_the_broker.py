"""The dossiers service as a process over the real broker, on SQLite and PostgreSQL: a unit
drafts its Form 08 from the indicator events, files a dossier through the Office's review to
the Council; every change travels on the dossiers topic, keyed by dossier and in sequence; and a
second instance with an empty database rebuilds the very same state from the topic alone, as
does the operator's `rebuild` command."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import docx
import grpc
import pytest
import yaml
from kafka import KafkaConsumer
from sqlalchemy import select

from campaign.dossiers.v1 import dossiers_pb2 as pb
from campaign.dossiers.v1 import dossiers_pb2_grpc
from campaign_contracts.campaign_file import SEED_CAMPAIGN, seed_path
from campaign_contracts.envelope import Event
from campaign_contracts.topics import (
    AWARD_DECISIONS,
    CANDIDATES,
    DOSSIER_EVENTS,
    INDICATORS,
    prefixed,
)
from campaign_dossiers import store
from campaign_kit.db import Database
from devkit.infra import ROOT
from devkit.processes import ServiceProcess
from tests.dossiers.api import caller_metadata, upload
from tests.dossiers.builders import (
    ACCESS_TOKENS,
    BANG_KHEN,
    DECISION_NUMBER,
    GIAY_KHEN,
    decided,
    k_update,
    pdf,
    proposed,
    revoked,
    unit_evidence,
    word,
)
from tests.dossiers.harness import ALL_DOSSIER_TABLES
from tests.support.kafka_io import create_all_topics, producer
from tests.support.reports import report

pytestmark = [pytest.mark.kafka]

T = TypeVar("T")


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.2)
    raise TimeoutError(f"{what}: not within {timeout}s")


@pytest.fixture
def campaign_file(tmp_path: Path) -> Path:
    """The seed campaign with next year's deadline: this machine's clock is past 2024, and the
    deadline itself is proven with an injected clock in test_grpc_api."""
    data = yaml.safe_load(seed_path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
    data["dossier_deadline"] = "2099-12-31"
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    template = data["documents"]["certificate_template"]  # it lives next to the campaign file
    shutil.copy(seed_path(template), tmp_path / template)
    return path


class Dossiers:
    """One running instance of the service and a client of it."""

    def __init__(self, process: ServiceProcess) -> None:
        self.process = process
        self.channel = process.channel()
        self.stub: Any = dossiers_pb2_grpc.DossiersServiceStub(self.channel)

    def call(self, method: str, request: Any, caller: str) -> Any:
        rpc = getattr(self.stub, method)
        payload = iter(request) if isinstance(request, list) else request
        return rpc(payload, metadata=caller_metadata(caller), timeout=30)

    def listed(self) -> list[pb.Dossier]:
        return list(self.call("ListDossiers", pb.ListDossiersRequest(), "office").dossiers)

    def close(self) -> None:
        self.channel.close()
        assert self.process.stop() == 0, self.process.log_tail()


@pytest.fixture
def launch(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path,
           campaign_file: Path) -> Iterator[Callable[[str, str], Dossiers]]:
    create_all_topics(kafka_bootstrap, topic_prefix)
    running: list[Dossiers] = []

    def start(name: str, database_url: str) -> Dossiers:
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_PREFIX": topic_prefix,
            "DATABASE_URL": database_url, "DATA_DIR": str(tmp_path / name),
            "BLOB_DIR": str(tmp_path / "blobs"),  # shared, as object storage would be
            "CONSUMER_GROUP": f"{topic_prefix}-{name}", "ACCESS_TOKENS": ACCESS_TOKENS,
            "CAMPAIGN_FILE": str(campaign_file), "LOG_LEVEL": "INFO",
        }
        process = ServiceProcess("dossiers", env, tmp_path / f"{name}.log")
        process.start()
        process.wait_serving()
        instance = Dossiers(process)
        running.append(instance)
        return instance

    yield start
    for instance in running:
        if instance.process.process is not None and instance.process.process.poll() is None:
            instance.close()


def publish_figures(bootstrap: str, prefix: str) -> None:
    topic = prefixed(INDICATORS, prefix).name
    kafka = producer(bootstrap)
    for event in (k_update("K1", 9, 10, target="0.90"),
                  k_update("K2", 19, 20, target="0.90"),
                  k_update("K3", 9, 20)):
        kafka.send(topic, key=event.subject_code.encode(), value=event.to_bytes())
    kafka.flush()
    kafka.close()


def publish(bootstrap: str, topic: str, key: str, *events: Event) -> None:
    """Publish as the awards service does (candidates keyed by candidate, decisions by id)."""
    kafka = producer(bootstrap)
    for event in events:
        kafka.send(topic, key=key.encode(), value=event.to_bytes())
    kafka.flush()
    kafka.close()


def drafted_once_a_candidate(service: Dossiers) -> Any:
    """The Form 08 draft, once the service has read the candidate from the topic."""
    def probe() -> Any:
        try:
            return service.call("DraftAchievementReport", pb.DraftAchievementReportRequest(
                award_type=GIAY_KHEN, nominee_kind="collective"), "qlvt")
        except grpc.RpcError as error:
            assert error.code() is grpc.StatusCode.FAILED_PRECONDITION, error
            return None
    return wait_for(probe, "the candidate consumed")


def topic_records(bootstrap: str, topic: str, expect: int) -> list[tuple[str, dict[str, Any]]]:
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=20_000)
    found: list[tuple[str, dict[str, Any]]] = []
    try:
        for message in consumer:
            found.append((message.key.decode(), yaml.safe_load(message.value)))
            if len(found) >= expect:
                break
    finally:
        consumer.close()
    return found


def tables(database_url: str) -> dict[str, list[dict[str, Any]]]:
    db = Database(database_url, store.metadata)
    try:
        with db.begin() as connection:
            return {
                table.name: [dict(r._mapping) for r in connection.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in ALL_DOSSIER_TABLES
            }
    finally:
        db.dispose()


def file_a_dossier_to_the_council(service: Dossiers) -> pb.Dossier:
    """QLVT drafts its Form 08, files the Giấy khen dossier, is sent back once, and the Office
    forwards the corrected dossier to the Council."""
    draft = drafted_once_a_candidate(service)
    rows = [[c.text for c in r.cells] for r in docx.Document(io.BytesIO(draft.docx)).tables[1].rows]
    assert [row[2:5] for row in rows[1:]] == [  # the candidate's evidence
        ["19", "20", "95,00%"], ["1.020", "1.091", "93,49%"], ["515", "1.091", "47,20%"]]
    opened = service.call("OpenDossier", pb.OpenDossierRequest(
        award_type=GIAY_KHEN, nominee_kind="collective"), "qlvt")
    dossier_id = opened.dossier_id
    service.call("AttachDocument", upload(dossier_id, "bien_ban_hop_xet", "Biên bản.pdf",
                                          pdf("chưa ký")), "qlvt")
    service.call("AttachDocument", upload(dossier_id, "bao_cao_thanh_tich", draft.filename,
                                          draft.docx), "qlvt")
    service.call("SubmitDossier", pb.SubmitDossierRequest(dossier_id=dossier_id), "qlvt")
    service.call("ReviewDossier", pb.ReviewDossierRequest(
        dossier_id=dossier_id, verdict=pb.VERDICT_RETURN, findings=[pb.ReviewFinding(
            document_kind="bien_ban_hop_xet", set_number=1, note="Biên bản chưa có chữ ký")]),
        "office")
    service.call("AttachDocument", upload(dossier_id, "bien_ban_hop_xet", "Biên bản (đã ký).pdf",
                                          pdf("đã ký")), "qlvt")
    service.call("SubmitDossier", pb.SubmitDossierRequest(dossier_id=dossier_id), "qlvt")
    service.call("ReviewDossier", pb.ReviewDossierRequest(
        dossier_id=dossier_id, verdict=pb.VERDICT_ACCEPT, note="Hồ sơ hợp lệ"), "office")
    forwarded: pb.Dossier = service.call(
        "ForwardDossier", pb.ForwardDossierRequest(dossier_id=dossier_id), "office")
    return forwarded


def test_dossiers_travel_on_the_topic_and_an_empty_database_rebuilds_from_it(
    launch: Callable[[str, str], Dossiers], database_url: str, rebuilt_database_url: str,
    kafka_bootstrap: str, topic_prefix: str,
) -> None:
    publish_figures(kafka_bootstrap, topic_prefix)
    candidate = proposed(GIAY_KHEN, "collective", "QLVT", "Phòng Quản lý vận tải",
                         unit_evidence())
    publish(kafka_bootstrap, prefixed(CANDIDATES, topic_prefix).name, candidate.candidate_id,
            candidate)
    first = launch("first", database_url)
    wait_for(lambda: len(first.call("GetNomineeFigures", pb.GetNomineeFiguresRequest(
        subject_kind="unit", subject_code="QLVT"), "none").figures) == 3, "figures consumed")

    forwarded = file_a_dossier_to_the_council(first)
    assert (forwarded.status, forwarded.version) == ("forwarded", 9)
    draft = first.call("OpenDossier", pb.OpenDossierRequest(
        award_type=BANG_KHEN, nominee_kind="collective"), "kcht")
    draft = first.call("AttachDocument", upload(draft.dossier_id, "to_trinh", "Tờ trình.docx",
                                                word("Tờ trình")), "kcht")
    with pytest.raises(grpc.RpcError) as caught:
        first.call("SubmitDossier", pb.SubmitDossierRequest(dossier_id=draft.dossier_id), "kcht")
    assert caught.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert "Bộ 2: Tờ trình đề nghị khen thưởng" in (caught.value.details() or "")

    # The read model follows the topic: it shows what the commands answered.
    expected = sorted([forwarded, draft], key=lambda d: d.opened_at)
    listed = wait_for(lambda: first.listed() == expected and first.listed(), "read model")
    council = first.call("ListDossiers", pb.ListDossiersRequest(), "council").dossiers
    assert [d.dossier_id for d in council] == [forwarded.dossier_id]

    # Every change is an event on the topic, keyed by its dossier, in sequence.
    records = topic_records(kafka_bootstrap, prefixed(DOSSIER_EVENTS, topic_prefix).name, 11)
    by_dossier: dict[str, list[int]] = {}
    for key, event in records:
        assert key == event["dossier_id"]
        by_dossier.setdefault(key, []).append(event["sequence"])
    assert by_dossier == {forwarded.dossier_id: list(range(1, 10)),
                          draft.dossier_id: [1, 2]}
    original = tables(database_url)
    assert len(original["dossier_events"]) == 11 and len(original["dossier_documents"]) == 3
    the_council_decides_and_the_documents_follow(first, kafka_bootstrap, topic_prefix,
                                                 forwarded)
    first.close()

    # A new instance on an empty database: the topic alone gives back the same state.
    started = time.monotonic()
    second = launch("second", rebuilt_database_url)
    wait_for(lambda: second.listed() == listed, "rebuilt read model")
    report("dossiers rebuild from topic (11 events)", f"{time.monotonic() - started:.1f} s")
    assert tables(rebuilt_database_url) == original
    report_doc = next(d for d in forwarded.documents if d.document_kind == "bao_cao_thanh_tich")
    downloaded = b"".join(part.chunk for part in second.stub.DownloadDocument(
        pb.DownloadDocumentRequest(dossier_id=forwarded.dossier_id, sha256=report_doc.sha256),
        metadata=caller_metadata("council")))
    assert docx.Document(io.BytesIO(downloaded)).tables[1].rows[3].cells[4].text == "47,20%"
    # …and carries on from the restored history.
    more = second.call("AttachDocument", upload(draft.dossier_id, "to_trinh", "Tờ trình 2.pdf",
                                                pdf("bộ 2"), set_number=2), "kcht")
    assert more.version == 3
    wait_for(lambda: second.call("GetDossier", pb.GetDossierRequest(
        dossier_id=draft.dossier_id), "kcht") == more, "the new event projected")
    second.close()

    # The operator's rebuild on the first database: read model emptied, then replayed.
    env = {"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "campaign_dossiers", "rebuild"], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert tables(database_url)["dossiers"] == []
    again = launch("again", database_url)
    wait_for(lambda: len(again.listed()) == 2 and again.listed()[1].version == 3,
             "read model replayed after rebuild")
    # It now also holds the event the second instance wrote: both databases agree.
    assert tables(database_url) == tables(rebuilt_database_url)


def the_council_decides_and_the_documents_follow(
    service: Dossiers, bootstrap: str, prefix: str, forwarded: pb.Dossier,
) -> None:
    """The awards service records the Council's decision on the forwarded dossier: the dossier
    shows it, the decision and the certificate are drafted; once revoked, neither is."""
    topic = prefixed(AWARD_DECISIONS, prefix).name
    decision = decided("collective", "QLVT", "Phòng Quản lý vận tải, phương tiện và người lái",
                       unit_evidence(), dossier_id=uuid.UUID(forwarded.dossier_id))
    publish(bootstrap, topic, str(decision.decision_id), decision)
    request = pb.GetDossierRequest(dossier_id=forwarded.dossier_id)
    shown = wait_for(lambda: service.call("GetDossier", request, "qlvt").decisions or None,
                     "the decision consumed")
    assert [(d.decision_number, d.decision_date, d.revoked) for d in shown] == [
        (DECISION_NUMBER, "2025-01-15", False)]
    drafted = service.call("DraftAwardDecision", pb.DraftAwardDecisionRequest(
        decision_number=DECISION_NUMBER), "council")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(drafted.content)).paragraphs)
    assert "QUYẾT ĐỊNH" in text and "01 tập thể" in text
    certificate = service.call("DraftCertificate", pb.DraftCertificateRequest(
        decision_id=str(decision.decision_id)), "qlvt")
    assert certificate.content.startswith(b"%PDF") and certificate.content_type == "application/pdf"

    publish(bootstrap, topic, str(decision.decision_id), revoked(decision, "Ghi nhầm"))
    wait_for(lambda: service.call("GetDossier", request, "qlvt").decisions[0].revoked,
             "the revocation consumed")
    with pytest.raises(grpc.RpcError) as refused:
        service.call("DraftAwardDecision", pb.DraftAwardDecisionRequest(
            decision_number=DECISION_NUMBER), "office")
    assert refused.value.code() is grpc.StatusCode.NOT_FOUND
    assert "đã bị thu hồi" in (refused.value.details() or "")
