"""The awards API over a real gRPC socket: every call of the proto, the Council's role,
refusals with their status, Vietnamese message and reason code, and the CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from campaign.awards.v1 import awards_pb2 as pb
from campaign.awards.v1 import awards_pb2_grpc
from campaign_contracts.events import SubjectKind
from campaign_kit.identity import Caller
from tests.awards.builders import all_targets, dossier_path, update
from tests.awards.harness import COUNCIL_TOKEN, OFFICE_TOKEN, SIGNER, Harness

Stub = Any


@pytest.fixture
async def api(database_url: str) -> AsyncIterator[tuple[Harness, Stub]]:
    h = Harness(database_url)
    server = grpc.aio.server()
    awards_pb2_grpc.add_AwardsServiceServicer_to_server(h.parts.servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    try:
        yield h, awards_pb2_grpc.AwardsServiceStub(channel)  # type: ignore[no-untyped-call]
    finally:
        await channel.close(None)
        await server.stop(None)
        h.db.dispose()


def token(value: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {value}"),)


async def refusal(call: Any, request: Any, **kwargs: Any) -> tuple[str, str, str]:
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await call(request, **kwargs)
    error = failed.value
    trailing: Any = error.trailing_metadata() or ()
    reason = next((v for k, v in trailing if k == "refusal-reason"), "")
    return error.code().name, str(reason), error.details() or ""


def _fill(h: Harness) -> None:
    for event in all_targets("QLVT", "2024-07-10T08:00:00+07:00"):
        h.indicator(event)
    h.indicator(update("VP", "K3", 30, 100, as_of="2024-06-20T08:00:00+07:00"))
    h.indicator(update("VP", "K3", 40, 120, as_of="2024-07-10T08:00:00+07:00"))
    h.indicator(update("KCHT", "K3", 40, 120, as_of="2024-07-10T08:00:00+07:00"))
    h.indicator(update("QLVT/Nguyễn Thị Hương", "K3", 20, 30, kind=SubjectKind.OFFICER))


async def test_standings_name_figures_their_versions_and_the_events_behind_them(
        api: tuple[Harness, Stub]) -> None:
    h, stub = api
    _fill(h)
    reply = await stub.GetStandings(pb.GetStandingsRequest())
    assert reply.period_kind == "campaign" and reply.subject_kind == "unit"
    first = reply.rows[0]
    assert (first.rank, first.unit_code, first.total_points) == (1, "QLVT", "100.00")
    k3 = next(i for i in first.indicators if i.indicator == "K3")
    assert (k3.numerator, k3.denominator, k3.rate, k3.points) == (50, 100, "0.5000", "50.00")
    assert k3.indicator_name == "Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG"
    assert k3.campaign_version == "2024.1" and k3.catalogue_version == "cat1"
    assert k3.source_event_id  # the IndicatorUpdated that carried the figure
    tied = [(r.unit_code, r.rank, r.shared_rank) for r in reply.rows[1:3]]
    assert tied == [("KCHT", 2, True), ("VP", 2, True)]
    officers = await stub.GetStandings(pb.GetStandingsRequest(subject_kind="officer"))
    assert officers.rows[0].subject_code == "QLVT/Nguyễn Thị Hương"
    assert officers.rows[0].subject_name == "Nguyễn Thị Hương"
    past = await stub.GetStandings(pb.GetStandingsRequest(as_of="2024-06-30T00:00:00+07:00"))
    assert [r.unit_code for r in past.rows][:1] == ["VP"]


async def test_bad_requests_are_refused_with_a_reason(api: tuple[Harness, Stub]) -> None:
    _h, stub = api
    code, reason, message = await refusal(stub.GetStandings,
                                          pb.GetStandingsRequest(period_key="garbage"))
    assert (code, reason) == ("INVALID_ARGUMENT", "unknown_period")
    assert "2024-07" in message and "2024-W27" in message
    assert (await refusal(stub.GetStandings, pb.GetStandingsRequest(as_of="hôm qua")))[:2] == (
        "INVALID_ARGUMENT", "bad_as_of")
    assert (await refusal(stub.GetHistory, pb.GetHistoryRequest(subject_code="NGOAI")))[:2] \
        == ("NOT_FOUND", "unknown_subject")


async def test_periods_history_and_forecast(api: tuple[Harness, Stub]) -> None:
    h, stub = api
    _fill(h)
    periods = (await stub.ListPeriods(pb.ListPeriodsRequest())).periods
    assert periods[0].kind == "campaign" and periods[1].label == "Tháng 6/2024"
    assert any(p.key == "2024-W27" and p.start == "2024-07-01" for p in periods)
    history = await stub.GetHistory(pb.GetHistoryRequest(subject_code="VP"))
    assert history.points[0].day == "2024-06-20" and history.points[-1].day == "2024-07-10"
    assert len(history.points) == 21 and history.points[0].rank == 1
    forecast = await stub.GetForecast(pb.GetForecastRequest(subject_code="VP"))
    k3 = next(i for i in forecast.indicators if i.indicator == "K3")
    assert forecast.window_days == 14 and forecast.as_of.startswith("2024-07-10")
    assert not k3.will_meet and k3.gap > 0
    assert k3.gap_text.startswith("cần thêm ") and k3.gap_text.endswith(
        " hồ sơ thanh toán trực tuyến")


async def test_only_the_council_decides_and_the_decision_is_listed_and_revocable(
        api: tuple[Harness, Stub]) -> None:
    h, stub = api
    _fill(h)
    candidates = (await stub.ListCandidates(pb.ListCandidatesRequest())).candidates
    assert {(c.award_type, c.nominee_code) for c in candidates} == {
        ("giay_khen_giam_doc_so", "QLVT"), ("bang_khen_chu_tich_ubnd", "QLVT"),
        ("giay_khen_giam_doc_so", "QLVT/Nguyễn Thị Hương"),
        ("bang_khen_chu_tich_ubnd", "QLVT/Nguyễn Thị Hương")}
    first = candidates[0]
    assert first.status == "proposed" and first.conditions[0].detail
    request = pb.DecideAwardRequest(
        decision_number="125/QĐ-SGTVT", decision_date="2025-01-15",
        award_type="giay_khen_giam_doc_so", nominee_kind="collective", nominee_code="QLVT",
        signer="Giám đốc Sở")
    assert (await refusal(stub.DecideAward, request))[:2] == ("UNAUTHENTICATED", "no_token")
    assert (await refusal(stub.DecideAward, request, metadata=token(OFFICE_TOKEN)))[:2] == (
        "PERMISSION_DENIED", "council_only")
    assert (await refusal(stub.DecideAward, request, metadata=token("x" * 20)))[:2] == (
        "UNAUTHENTICATED", "unknown_token")
    unit_member = SIGNER.issue(Caller("unit", "QLVT", "Lê Văn C"))
    assert (await refusal(stub.DecideAward, request, metadata=token(unit_member)))[:2] == (
        "PERMISSION_DENIED", "council_only")
    assert (await refusal(stub.DecideAward, request, metadata=token(COUNCIL_TOKEN)))[:2] == (
        "FAILED_PRECONDITION", "dossier_not_forwarded")
    for step in dossier_path("QLVT"):
        h.dossier(step)
    member = SIGNER.issue(Caller("council", None, "Trần Văn B"))  # signed in to the workspace
    decision = await stub.DecideAward(request, metadata=token(member))
    assert decision.dossier_id and decision.nominee_name.startswith("Phòng Quản lý vận tải")
    assert decision.decided_by == "council:Trần Văn B"
    assert h.published["campaign.awards.decisions.v1"]  # published after the command
    assert (await refusal(stub.DecideAward, request, metadata=token(COUNCIL_TOKEN)))[:2] == (
        "ALREADY_EXISTS", "already_decided")
    listed = (await stub.ListDecisions(pb.ListDecisionsRequest())).decisions
    assert [d.decision_id for d in listed] == [decision.decision_id]
    after = (await stub.ListCandidates(pb.ListCandidatesRequest(
        award_type="giay_khen_giam_doc_so"))).candidates
    assert after[0].status == "decided"
    revoke = pb.RevokeDecisionRequest(decision_id=decision.decision_id, reason="Nhầm")
    assert (await refusal(stub.RevokeDecision, revoke, metadata=token(OFFICE_TOKEN)))[0] == \
        "PERMISSION_DENIED"
    revoked = await stub.RevokeDecision(revoke, metadata=token(COUNCIL_TOKEN))
    assert revoked.revoked and revoked.revoked_reason == "Nhầm"
    assert not (await stub.ListDecisions(pb.ListDecisionsRequest())).decisions
    assert (await stub.ListDecisions(pb.ListDecisionsRequest(include_revoked=True))).decisions


async def test_the_export_is_csv_with_a_bom_and_vietnamese_headers(
        api: tuple[Harness, Stub]) -> None:
    h, stub = api
    _fill(h)
    reply = await stub.ExportStandings(pb.ExportStandingsRequest(period_key="2024-07"))
    assert reply.filename == "bang-xep-hang-2024-07.csv"
    assert reply.csv.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.csv.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Hạng", "Mã", "Đơn vị", "Đơn vị (mã)", "Tổng điểm"]
    assert len(rows) == 1 + 5  # every campaign unit, figures or not
    officers = await stub.ExportStandings(pb.ExportStandingsRequest(
        subject_kind="officer", as_of="2024-07-31T23:59:59+07:00"))
    assert officers.filename == "bang-xep-hang-ca-nhan-2024-06-01_2024-12-31_20240731-2359.csv"
    header = officers.csv.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("Hạng,Mã,Cán bộ,") and "K1" not in header
