"""The awards chain end to end, each service a process over the real broker, on SQLite and on
PostgreSQL: portal records -> metrics -> standings -> a candidate -> the unit's dossier accepted
and forwarded by the Office (through the dossiers service) -> the Council's DecideAward ->
AwardDecided on the decisions topic -> the notifier's e-mail to the unit over a real SMTP server.
Then the operator's `rebuild` replays the log into an empty database and gives back the same
standings, history, candidates and decisions."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from sqlalchemy import select

from campaign.awards.v1 import awards_pb2 as pb
from campaign.awards.v1 import awards_pb2_grpc
from campaign.dossiers.v1 import dossiers_pb2 as dpb
from campaign.dossiers.v1 import dossiers_pb2_grpc
from campaign_awards import store
from campaign_contracts.campaign_file import SEED_CAMPAIGN, seed_path
from campaign_contracts.topics import AWARD_DECISIONS, CANDIDATES, PORTAL_RECORDS, prefixed
from campaign_kit.db import Database
from devkit.infra import ROOT
from devkit.processes import ServiceProcess
from devkit.smtp import SmtpServer
from tests.dossiers.api import caller_metadata, upload
from tests.dossiers.builders import ACCESS_TOKENS, GIAY_KHEN, pdf, word
from tests.dossiers.test_over_the_broker import wait_for
from tests.support.kafka_io import create_all_topics, producer, read_all
from tests.support.records import encode, portal_record
from tests.support.reports import report

pytestmark = [pytest.mark.e2e, pytest.mark.kafka]
QLVT_ONLINE_PROCEDURES = ("GTVT.GPLX.01", "GTVT.GPLX.02", "GTVT.GPLX.03", "GTVT.VT.01",
                          "GTVT.VT.02", "GTVT.PT.01")


@pytest.fixture
def campaign_file(tmp_path: Path) -> Path:
    """The seed campaign with a far deadline: the dossiers service judges submissions by the
    clock, which is past 2024 here (awards judges by the figures' time)."""
    data = yaml.safe_load(seed_path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
    data["dossier_deadline"] = "2099-12-31"
    path = tmp_path / "campaign-far-deadline.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def services(kafka_bootstrap: str, topic_prefix: str, tmp_path: Path, campaign_file: Path,
             database_url: str, smtp: SmtpServer) -> Iterator[dict[str, ServiceProcess]]:
    create_all_topics(kafka_bootstrap, topic_prefix)
    running = {}
    for name in ("metrics", "dossiers", "awards", "notifier"):
        env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "TOPIC_PREFIX": topic_prefix,
               "DATA_DIR": str(tmp_path / name), "CONSUMER_GROUP": f"{topic_prefix}-{name}",
               "CAMPAIGN_FILE": str(campaign_file), "ACCESS_TOKENS": ACCESS_TOKENS,
               "LOG_LEVEL": "INFO", "RELAY_INTERVAL_S": "0.5"}
        if name == "awards":
            env["DATABASE_URL"] = database_url
        if name == "notifier":
            # A working morning on the campaign's clock: the decision is not held by the
            # campaign's quiet hours, whatever the hour the test runs at.
            env.update(SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp.port),
                       CLOCK_START="2025-01-15T09:00:00+07:00", CLOCK_SPEED="1")
        running[name] = ServiceProcess(name, env, tmp_path / f"{name}.log")
    for process in running.values():
        process.start()
    try:
        for process in running.values():
            process.wait_serving()
        yield running
    finally:
        for process in running.values():
            process.stop()


def file_to_the_council(dossiers: ServiceProcess) -> str:
    """QLVT files its Giấy khen dossier; the Office accepts it and forwards it to the Council."""
    with dossiers.channel() as channel:
        stub: Any = dossiers_pb2_grpc.DossiersServiceStub(channel)

        def call(method: str, request: Any, caller: str) -> Any:
            payload = iter(request) if isinstance(request, list) else request
            return getattr(stub, method)(payload, metadata=caller_metadata(caller), timeout=30)

        opened = call("OpenDossier", dpb.OpenDossierRequest(
            award_type=GIAY_KHEN, nominee_kind="collective"), "qlvt")
        call("AttachDocument", upload(opened.dossier_id, "bien_ban_hop_xet", "Biên bản.pdf",
                                      pdf("đã ký")), "qlvt")
        call("AttachDocument", upload(opened.dossier_id, "bao_cao_thanh_tich",
                                      "Báo cáo thành tích.docx", word()), "qlvt")
        call("SubmitDossier", dpb.SubmitDossierRequest(dossier_id=opened.dossier_id), "qlvt")
        call("ReviewDossier", dpb.ReviewDossierRequest(
            dossier_id=opened.dossier_id, verdict=dpb.VERDICT_ACCEPT, note="Hợp lệ"), "office")
        call("ForwardDossier", dpb.ForwardDossierRequest(dossier_id=opened.dossier_id),
             "office")
        return str(opened.dossier_id)


def awards_tables(url: str) -> dict[str, Any]:
    db = Database(url, store.metadata)
    try:
        with db.begin() as connection:
            return {
                "standings": sorted((r.period_key, r.subject_kind, r.subject_code, r.rank,
                                     str(r.total_points), r.targets_met, r.figures)
                                    for r in connection.execute(select(store.standings))),
                "cells": sorted(tuple(r) for r in connection.execute(select(store.cells))),
                "versions": sorted(tuple(r)[1:] for r in connection.execute(
                    select(store.cell_versions))),
                "candidates": sorted(tuple(r) for r in connection.execute(
                    select(store.candidates))),
                "decisions": sorted((r.decision_id, r.decided, r.revoked)
                                    for r in connection.execute(select(store.decisions))),
                "dossiers": sorted(tuple(r) for r in connection.execute(
                    select(store.nomination_dossiers))),
            }
    finally:
        db.dispose()


def test_from_portal_records_to_the_councils_decision_and_back_by_rebuild(
    services: dict[str, ServiceProcess], kafka_bootstrap: str, topic_prefix: str,
    database_url: str, rebuilt_database_url: str, smtp: SmtpServer,
) -> None:
    # QLVT: one online, paid dossier for each of its online services: K1, K2 and K3 all met.
    portal = producer(kafka_bootstrap)
    inbound = prefixed(PORTAL_RECORDS, topic_prefix).name
    for i, procedure in enumerate(QLVT_ONLINE_PROCEDURES):
        record = portal_record(f"QLVT-{i:03}", procedure=procedure, channel=2, paid=1)
        portal.send(inbound, key=record["MaHoSo"].encode(), value=encode(record))
    vp = portal_record("VP-001", unit="VP", procedure="GTVT.VP.01", paid=0, channel=1)
    portal.send(inbound, key=b"VP-001", value=encode(vp))
    portal.flush()
    started = time.monotonic()
    with services["awards"].channel() as channel:
        stub: Any = awards_pb2_grpc.AwardsServiceStub(channel)

        def candidate() -> Any:
            found = stub.ListCandidates(pb.ListCandidatesRequest(
                award_type=GIAY_KHEN, unit_code="QLVT")).candidates
            return found[0] if found else None

        proposed = wait_for(candidate, "QLVT proposed for the Giấy khen")
        report("e2e portal records -> candidate proposed", f"{time.monotonic() - started:.1f} s")
        assert proposed.status == "proposed" and proposed.rank == 1
        assert [c.met for c in proposed.conditions] == [True]
        standings = stub.GetStandings(pb.GetStandingsRequest())
        # Evaluated at the figures' time (the latest record behind them), not the clock's: at
        # or after QLVT's own figures, never after the latest figure of anyone.
        qlvt = next(r for r in standings.rows if r.unit_code == "QLVT")
        latest = max(r.updated_at for r in standings.rows if r.updated_at)
        evaluated = datetime.fromisoformat(proposed.evaluated_at)
        assert datetime.fromisoformat(qlvt.updated_at) <= evaluated <= datetime.fromisoformat(
            latest)

        def month_with_vp() -> Any:
            month = stub.GetStandings(pb.GetStandingsRequest(period_key="2024-07"))
            vp = next(r for r in month.rows if r.unit_code == "VP")
            return month if any(i.indicator == "K3" and i.denominator for i in vp.indicators) \
                else None

        standings = wait_for(month_with_vp, "VP's K3 in July")
        ranked = {r.unit_code: (r.rank, r.total_points, r.shared_rank) for r in standings.rows}
        assert ranked["QLVT"] == (1, "100.00", False)
        # VP has 0 points but a K3 rate (0/1), so it ranks above the units without any.
        assert ranked["VP"] == (2, "0.00", False)
        assert ranked["TTRA"] == ranked["KHTC"] == (3, "0.00", True)

        request = pb.DecideAwardRequest(
            decision_number="125/QĐ-SGTVT", decision_date="2025-01-15", award_type=GIAY_KHEN,
            nominee_kind="collective", nominee_code="QLVT", signer="Giám đốc Sở",
            note="Hoàn thành xuất sắc đợt thi đua")
        council = caller_metadata("council")
        with pytest.raises(grpc.RpcError) as early:
            stub.DecideAward(request, metadata=council)
        assert early.value.code() is grpc.StatusCode.FAILED_PRECONDITION
        dossier_id = file_to_the_council(services["dossiers"])

        def decided() -> Any:
            try:
                return stub.DecideAward(request, metadata=council)
            except grpc.RpcError as refused:
                if refused.code() is grpc.StatusCode.FAILED_PRECONDITION:
                    return None  # the forwarded dossier has not reached awards yet
                raise

        decision = wait_for(decided, "the decision accepted once the dossier is forwarded")
        assert decision.dossier_id == dossier_id
    [published] = read_all(kafka_bootstrap, prefixed(AWARD_DECISIONS, topic_prefix).name, 1)
    assert published["event_type"] == "AwardDecided"
    assert published["decision_id"] == decision.decision_id
    assert published["dossier_id"] == dossier_id and published["unit_code"] == "QLVT"
    assert published["evidence"]["rank"] == 1
    candidates = read_all(kafka_bootstrap, prefixed(CANDIDATES, topic_prefix).name, 2)
    assert {c["candidate_id"] for c in candidates} >= {f"{GIAY_KHEN}:collective:QLVT"}

    # The unit is told, in Vietnamese, with the decision's number and date.
    def decision_mail() -> Any:
        return next((m.message for m in list(smtp.inbox.messages)
                     if "125/QĐ-SGTVT" in str(m.message["Subject"])), None)

    mail = wait_for(decision_mail, "the unit's e-mail about the decision")
    assert "qlvt@sgtvt.langson.example" in str(mail["To"])
    body = mail.get_body(("plain",))
    assert body is not None and "15/01/2025" in body.get_content()

    # The operator's rebuild into an empty database gives back the same state.
    assert services["awards"].stop() == 0
    original = awards_tables(database_url)
    env = {"DATABASE_URL": rebuilt_database_url, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
           "TOPIC_PREFIX": topic_prefix, "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "campaign_awards", "rebuild"], env=env,
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    report("awards rebuild from the log", f"{time.monotonic() - started:.1f} s")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Đã dựng lại từ ")
    assert awards_tables(rebuilt_database_url) == original
    portal.close()
