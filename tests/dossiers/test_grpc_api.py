"""The gRPC API over a real database: the whole role matrix (a unit acts on and reads only its
own dossiers, the Office reads all and reviews, the Council reads what was forwarded, anyone
else is refused), and each kind of bad input answered with its own status, message and reason,
leaving the dossier as it was."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import docx
import grpc
import pytest

from campaign.dossiers.v1 import dossiers_pb2 as pb
from campaign_contracts.events import SubjectKind
from campaign_dossiers.awards_view import CandidatesProjection, DecisionsProjection
from campaign_dossiers.figures import NomineeFiguresProjection
from tests.dossiers.api import Api, refusal_reason, start, stop, upload
from tests.dossiers.builders import (
    AT_DEADLINE,
    BANG_KHEN,
    CAMPAIGN,
    DECISION_NUMBER,
    GIAY_KHEN,
    OFFICER,
    decided,
    k_update,
    pdf,
    plain_zip,
    png,
    proposed,
    revoked,
    unit_evidence,
    word,
)
from tests.dossiers.harness import Harness


def all_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


CALLERS = ("none", "bogus", "council", "kcht", "office", "qlvt")  # the allowed one acts last
MAX_BYTES = 3 * 1024 * 1024


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    harness = Harness(database_url, tmp_path / "blobs", max_document_bytes=MAX_BYTES)
    running = await start(harness)
    yield running
    await stop(running)
    harness.dispose()


async def open_filled(api: Api, caller: str = "qlvt") -> pb.Dossier:
    """A complete Giấy khen dossier of the caller's unit, not yet submitted."""
    opened = await api.call("OpenDossier", pb.OpenDossierRequest(
        award_type=GIAY_KHEN, nominee_kind="collective"), caller)
    await api.call("AttachDocument", upload(opened.dossier_id, "bien_ban_hop_xet",
                                            "Biên bản họp xét.pdf", pdf()), caller)
    filled: pb.Dossier = await api.call("AttachDocument", upload(
        opened.dossier_id, "bao_cao_thanh_tich", "Báo cáo thành tích.docx", word()), caller)
    return filled


async def dossier_in(api: Api, status: str) -> pb.Dossier:
    dossier = await open_filled(api)
    steps: list[tuple[str, Any, str]] = [
        ("SubmitDossier", pb.SubmitDossierRequest(dossier_id=dossier.dossier_id), "qlvt"),
        ("ReviewDossier", pb.ReviewDossierRequest(dossier_id=dossier.dossier_id,
                                                  verdict=pb.VERDICT_ACCEPT), "office"),
        ("ForwardDossier", pb.ForwardDossierRequest(dossier_id=dossier.dossier_id), "office"),
    ]
    order = ["draft", "submitted", "accepted", "forwarded"]
    for method, request, caller in steps[:order.index(status)]:
        dossier = await api.call(method, request, caller)
    assert dossier.status == status
    return dossier


UNAUTHENTICATED = {"none": "UNAUTHENTICATED", "bogus": "UNAUTHENTICATED"}
DENIED = "PERMISSION_DENIED"

# For each call: the state of QLVT's dossier it acts on, and what each caller gets.
MATRIX: dict[str, tuple[str, dict[str, str]]] = {
    "OpenDossier": ("none", {**UNAUTHENTICATED, "council": DENIED, "kcht": "OK",
                             "office": DENIED, "qlvt": "OK"}),
    "AttachDocument": ("draft", {**UNAUTHENTICATED, "council": DENIED, "kcht": DENIED,
                                 "office": DENIED, "qlvt": "OK"}),
    "SubmitDossier": ("draft", {**UNAUTHENTICATED, "council": DENIED, "kcht": DENIED,
                                "office": DENIED, "qlvt": "OK"}),
    "ReviewDossier": ("submitted", {**UNAUTHENTICATED, "council": DENIED, "kcht": DENIED,
                                    "qlvt": DENIED, "office": "OK"}),
    "ForwardDossier": ("accepted", {**UNAUTHENTICATED, "council": DENIED, "kcht": DENIED,
                                    "qlvt": DENIED, "office": "OK"}),
    "GetDossier": ("submitted", {**UNAUTHENTICATED, "council": DENIED, "kcht": DENIED,
                                 "office": "OK", "qlvt": "OK"}),
    "GetDossier:forwarded": ("forwarded", {**UNAUTHENTICATED, "council": "OK", "kcht": DENIED,
                                           "office": "OK", "qlvt": "OK"}),
    "DownloadDocument": ("submitted", {**UNAUTHENTICATED, "council": DENIED, "kcht": DENIED,
                                       "office": "OK", "qlvt": "OK"}),
    "ListDossiers": ("draft", {**UNAUTHENTICATED, "council": "OK", "kcht": "OK",
                               "office": "OK", "qlvt": "OK"}),
    "ListDossiers:QLVT": ("draft", {**UNAUTHENTICATED, "council": "OK", "kcht": DENIED,
                                    "office": "OK", "qlvt": "OK"}),
    "DraftAchievementReport": ("none", {**UNAUTHENTICATED, "council": DENIED, "kcht": DENIED,
                                        "office": "OK", "qlvt": "OK"}),
    "GetNomineeFigures": ("none", {"none": "OK", "bogus": "OK", "council": "OK", "kcht": "OK",
                                   "office": "OK", "qlvt": "OK"}),
    "DraftAwardDecision": ("none", {**UNAUTHENTICATED, "council": "OK", "kcht": DENIED,
                                    "office": "OK", "qlvt": DENIED}),
    # QLVT's own certificate: QLVT may print it, KCHT may not.
    "DraftCertificate": ("none", {**UNAUTHENTICATED, "council": "OK", "kcht": DENIED,
                                  "office": "OK", "qlvt": "OK"}),
}
QLVT_DECIDED = decided("collective", "QLVT", "Phòng Quản lý vận tải, phương tiện và người lái",
                       unit_evidence())


def given_the_awards_facts(api: Api) -> None:
    """QLVT proposed for the Giấy khen, and awarded it (as the awards service publishes)."""
    with api.harness.db.begin() as connection:
        CandidatesProjection(CAMPAIGN).apply(connection, proposed(
            GIAY_KHEN, "collective", "QLVT", "Phòng Quản lý vận tải", unit_evidence()))
        DecisionsProjection(CAMPAIGN).apply(connection, QLVT_DECIDED)


def request_for(call: str, dossier: pb.Dossier | None) -> Any:
    dossier_id = dossier.dossier_id if dossier else ""
    match call.split(":")[0]:
        case "OpenDossier":
            return pb.OpenDossierRequest(award_type=GIAY_KHEN, nominee_kind="collective")
        case "AttachDocument":
            return upload(dossier_id, "bien_ban_hop_xet", "Biên bản (bản ký).png", png())
        case "SubmitDossier":
            return pb.SubmitDossierRequest(dossier_id=dossier_id)
        case "ReviewDossier":
            return pb.ReviewDossierRequest(dossier_id=dossier_id, verdict=pb.VERDICT_ACCEPT)
        case "ForwardDossier":
            return pb.ForwardDossierRequest(dossier_id=dossier_id)
        case "GetDossier":
            return pb.GetDossierRequest(dossier_id=dossier_id)
        case "DownloadDocument":
            assert dossier is not None
            return pb.DownloadDocumentRequest(dossier_id=dossier_id,
                                              sha256=dossier.documents[0].sha256)
        case "ListDossiers":
            return pb.ListDossiersRequest(unit_code="QLVT" if call.endswith("QLVT") else "")
        case "DraftAchievementReport":
            return pb.DraftAchievementReportRequest(award_type=GIAY_KHEN,
                                                    nominee_kind="collective",
                                                    nominee_code="QLVT")
        case "GetNomineeFigures":
            return pb.GetNomineeFiguresRequest(subject_kind="unit", subject_code="QLVT")
        case "DraftAwardDecision":
            return pb.DraftAwardDecisionRequest(decision_number=DECISION_NUMBER)
        case "DraftCertificate":
            return pb.DraftCertificateRequest(decision_id=str(QLVT_DECIDED.decision_id))
    raise AssertionError(call)


@pytest.mark.parametrize("call", sorted(MATRIX))
async def test_the_role_matrix(api: Api, call: str) -> None:
    state, expected = MATRIX[call]
    dossier = None if state == "none" else await dossier_in(api, state)
    given_the_awards_facts(api)
    request = request_for(call, dossier)
    outcomes = {caller: await api.outcome(call.split(":")[0], request, caller)
                for caller in CALLERS}
    assert outcomes == expected


async def test_each_caller_lists_what_it_may_see(api: Api) -> None:
    mine = await dossier_in(api, "forwarded")
    theirs = await open_filled(api, "kcht")
    draft = await api.call("OpenDossier", pb.OpenDossierRequest(
        award_type=BANG_KHEN, nominee_kind="individual", nominee_code=OFFICER), "qlvt")

    async def listed(caller: str, **filters: str) -> list[str]:
        reply = await api.call("ListDossiers", pb.ListDossiersRequest(**filters), caller)
        return sorted(d.dossier_id for d in reply.dossiers)

    assert await listed("qlvt") == sorted([mine.dossier_id, draft.dossier_id])
    assert await listed("kcht") == [theirs.dossier_id]
    assert await listed("office") == sorted([mine.dossier_id, theirs.dossier_id,
                                             draft.dossier_id])
    assert await listed("office", unit_code="KCHT") == [theirs.dossier_id]
    assert await listed("office", status="draft", award_type=GIAY_KHEN) == [theirs.dossier_id]
    assert await listed("council") == [mine.dossier_id]
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await listed("office", status="lost")
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT


async def expect_refusal(api: Api, method: str, request: Any, caller: str,
                         code: grpc.StatusCode, reason: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await api.call(method, request, caller)
    assert (caught.value.code(), refusal_reason(caught.value)) == (code, reason), \
        caught.value.details()
    return caught.value.details() or ""


async def test_bad_input_gets_its_own_status_and_leaves_the_dossier_unchanged(api: Api) -> None:
    G = grpc.StatusCode
    opened = await api.call("OpenDossier", pb.OpenDossierRequest(
        award_type=BANG_KHEN, nominee_kind="individual", nominee_code=OFFICER), "qlvt")
    dossier_id = opened.dossier_id
    await expect_refusal(api, "OpenDossier", pb.OpenDossierRequest(
        award_type="huan_chuong", nominee_kind="collective"), "qlvt",
        G.INVALID_ARGUMENT, "unknown_award_type")
    await expect_refusal(api, "OpenDossier", pb.OpenDossierRequest(
        award_type=GIAY_KHEN, nominee_kind="individual", nominee_code="Không Có Ai"), "qlvt",
        G.INVALID_ARGUMENT, "unknown_nominee")
    await expect_refusal(api, "OpenDossier", pb.OpenDossierRequest(
        award_type=GIAY_KHEN, nominee_kind="individual", nominee_code="Lương Thị Thảo"), "qlvt",
        G.PERMISSION_DENIED, "not_your_nominee")
    await expect_refusal(api, "OpenDossier", pb.OpenDossierRequest(
        award_type=BANG_KHEN, nominee_kind="individual", nominee_code=OFFICER), "qlvt",
        G.ALREADY_EXISTS, "already_open")
    too_big = pdf() + b"\x00" * MAX_BYTES
    await expect_refusal(api, "AttachDocument", upload(dossier_id, "to_trinh", "to-trinh.pdf",
                                                       too_big), "qlvt",
                         G.RESOURCE_EXHAUSTED, "file_too_large")
    message = await expect_refusal(api, "AttachDocument", upload(
        dossier_id, "to_trinh", "to-trinh.pdf", plain_zip()), "qlvt",
        G.INVALID_ARGUMENT, "disguised_file")
    assert "to-trinh.pdf" in message and "ZIP" in message
    await expect_refusal(api, "AttachDocument", upload(dossier_id, "to_trinh", "a.pdf", pdf())[1:],
                         "qlvt", G.INVALID_ARGUMENT, "bad_upload")
    await expect_refusal(api, "AttachDocument", upload(dossier_id, "giay_to_khac", "a.pdf",
                                                       pdf()), "qlvt",
                         G.INVALID_ARGUMENT, "unknown_document_kind")
    await expect_refusal(api, "AttachDocument", upload("not-a-uuid", "to_trinh", "a.pdf", pdf()),
                         "qlvt", G.INVALID_ARGUMENT, "bad_dossier_id")
    await expect_refusal(api, "AttachDocument", upload(dossier_id, "to_trinh", "a.pdf", pdf(),
                                                       expected_version=7), "qlvt",
                         G.ABORTED, "version_conflict")
    missing = await expect_refusal(api, "SubmitDossier", pb.SubmitDossierRequest(
        dossier_id=dossier_id), "qlvt", G.FAILED_PRECONDITION, "incomplete")
    assert missing.count("Bộ 1:") == 3 and missing.count("Bộ 2:") == 3
    await expect_refusal(api, "ReviewDossier", pb.ReviewDossierRequest(
        dossier_id=dossier_id, verdict=pb.VERDICT_ACCEPT), "office",
        G.FAILED_PRECONDITION, "wrong_state")
    await expect_refusal(api, "GetDossier", pb.GetDossierRequest(
        dossier_id="6a1f62c4-0d1e-4d6f-8b7e-3f1d1e7e0a11"), "office",
        G.NOT_FOUND, "dossier_not_found")
    unchanged = await api.call("GetDossier", pb.GetDossierRequest(dossier_id=dossier_id), "qlvt")
    assert unchanged == opened
    assert (unchanged.version, len(unchanged.documents), len(unchanged.missing)) == (1, 0, 6)


async def test_a_duplicate_submission_and_a_late_one_are_refused_with_their_reasons(
    api: Api,
) -> None:
    G = grpc.StatusCode
    submitted = await dossier_in(api, "submitted")
    request = pb.SubmitDossierRequest(dossier_id=submitted.dossier_id)
    await expect_refusal(api, "SubmitDossier", request, "qlvt", G.ALREADY_EXISTS,
                         "already_submitted")
    late = await open_filled(api, "kcht")
    api.harness.clock.set(AT_DEADLINE)
    message = await expect_refusal(api, "SubmitDossier", pb.SubmitDossierRequest(
        dossier_id=late.dossier_id), "kcht", G.FAILED_PRECONDITION, "deadline_passed")
    assert message.startswith("Đã quá hạn nộp hồ sơ đề nghị khen thưởng: hạn cuối là hết ngày "
                              "31/12/2024")
    still = await api.call("GetDossier", pb.GetDossierRequest(dossier_id=late.dossier_id),
                           "office")
    assert (still.status, still.version, still.submitted_at) == ("draft", late.version, "")


async def test_a_returned_dossier_shows_what_is_missing_and_a_document_downloads_whole(
    api: Api,
) -> None:
    submitted = await dossier_in(api, "submitted")
    returned = await api.call("ReviewDossier", pb.ReviewDossierRequest(
        dossier_id=submitted.dossier_id, verdict=pb.VERDICT_RETURN, findings=[
            pb.ReviewFinding(document_kind="bao_cao_thanh_tich", set_number=1,
                             note="Số liệu K3 chưa khớp với hệ thống")]), "office")
    assert returned.status == "returned"
    assert [(f.document_kind, f.note) for f in returned.findings] == [
        ("bao_cao_thanh_tich", "Số liệu K3 chưa khớp với hệ thống")]
    await expect_refusal(api, "ReviewDossier", pb.ReviewDossierRequest(
        dossier_id=submitted.dossier_id, verdict=pb.VERDICT_RETURN), "office",
        grpc.StatusCode.FAILED_PRECONDITION, "wrong_state")
    big = pdf("bản quét") + bytes(range(256)) * 9000  # ~2.3 MB: several upload chunks
    fixed = await api.call("AttachDocument", upload(
        submitted.dossier_id, "bao_cao_thanh_tich", "Báo cáo (bản quét).pdf", big), "qlvt")
    document = next(d for d in fixed.documents if d.document_kind == "bao_cao_thanh_tich")
    assert (document.content_type, document.size_bytes, document.uploaded_by) == (
        "application/pdf", len(big), "unit:QLVT")
    assert await api.download(fixed.dossier_id, document.sha256, "office") == big
    shown = await api.call("GetDossier", pb.GetDossierRequest(dossier_id=fixed.dossier_id),
                           "office")
    assert shown == fixed and shown.complete and shown.required_sets == 1
    assert shown.award_name == "Giấy khen của Giám đốc Sở"


async def test_the_form08_draft_is_for_candidates_and_marked_at_the_offices_request(
    api: Api,
) -> None:
    given_the_awards_facts(api)
    figures = NomineeFiguresProjection(CAMPAIGN)
    with api.harness.db.begin() as connection:
        # One batch, as the service applies them: K3's later figure is the one that stands.
        figures.apply_batch(connection, [
            k_update("K3", 12, 30, code=OFFICER, kind=SubjectKind.OFFICER),
            k_update("K3", 31, 60, code=OFFICER, kind=SubjectKind.OFFICER),
            k_update("K2", 40, 50, code=OFFICER, kind=SubjectKind.OFFICER, target="0.90")])
    # A candidate: drafted from its frozen evidence, as of the evaluation inside the campaign.
    own = await api.call("DraftAchievementReport", pb.DraftAchievementReportRequest(
        award_type=GIAY_KHEN, nominee_kind="collective"), "qlvt")
    assert own.as_of == "2024-12-31T09:30:00+00:00"
    unit_rows = [[c.text for c in r.cells]
                 for r in docx.Document(io.BytesIO(own.docx)).tables[1].rows]
    assert unit_rows[2][2:] == ["1.020", "1.091", "93,49%", "≥ 90,00%", "Đạt"]
    assert "chưa đủ tiêu chuẩn" not in all_text(own.docx)
    # Not a candidate: refused with the reason, to the unit and to the Office alike…
    request = pb.DraftAchievementReportRequest(award_type=GIAY_KHEN, nominee_kind="individual",
                                               nominee_code=OFFICER)
    for caller in ("qlvt", "office"):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await api.call("DraftAchievementReport", request, caller)
        assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
        assert refusal_reason(refused.value) == "not_a_candidate"
        assert "chưa đủ tiêu chuẩn Giấy khen của Giám đốc Sở" in (refused.value.details() or "")
    # …drafted, marked, only at the Office's explicit request.
    request.mark_not_qualified = True
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await api.call("DraftAchievementReport", request, "qlvt")
    assert refusal_reason(refused.value) == "only_office_drafts_unqualified"
    marked = await api.call("DraftAchievementReport", request, "office")
    assert "BẢN DỰ THẢO – CHƯA ĐỦ TIÊU CHUẨN" in all_text(marked.docx)
    rows = [[c.text for c in r.cells]
            for r in docx.Document(io.BytesIO(marked.docx)).tables[1].rows]
    # The individual award judges K3 only: the other indicators do not apply.
    assert [row[-1] for row in rows[1:]] == [
        "Không áp dụng đối với cá nhân", "Không áp dụng đối với cá nhân", "Đạt"]
    assert rows[3][2:5] == ["31", "60", "51,67%"]
    figures_reply = await api.call("GetNomineeFigures", pb.GetNomineeFiguresRequest(
        subject_kind="officer", subject_code=OFFICER), "none")
    assert [(f.indicator, f.numerator, f.denominator, f.rate) for f in figures_reply.figures] == [
        ("K2", 40, 50, "0.8000"), ("K3", 31, 60, "0.5167")]


async def test_decisions_show_on_the_dossier_and_bad_document_requests_say_why(
    api: Api,
) -> None:
    forwarded = await dossier_in(api, "forwarded")
    on_dossier = decided("collective", "QLVT", "Phòng Quản lý vận tải", unit_evidence(),
                         dossier_id=uuid.UUID(forwarded.dossier_id), number="7/QĐ-SGTVT")
    other_issuer = decided("collective", "QLVT", "Phòng Quản lý vận tải", unit_evidence(),
                           number="7/QĐ-SGTVT", award=BANG_KHEN)
    decisions = DecisionsProjection(CAMPAIGN)
    with api.harness.db.begin() as connection:
        decisions.apply(connection, on_dossier)
        decisions.apply(connection, revoked(on_dossier, "Ghi nhầm số"))
        decisions.apply(connection, QLVT_DECIDED)
    shown = await api.call("GetDossier", pb.GetDossierRequest(
        dossier_id=forwarded.dossier_id), "qlvt")
    # Its own decision (revoked, with why) and the one on its nominee and award (no dossier).
    assert sorted((d.decision_number, d.revoked, d.revoked_reason) for d in shown.decisions) == [
        (DECISION_NUMBER, False, ""), ("7/QĐ-SGTVT", True, "Ghi nhầm số")]

    async def refused(method: str, request: Any) -> tuple[str, str, str]:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await api.call(method, request, "office")
        return (caught.value.code().name, refusal_reason(caught.value),
                caught.value.details() or "")

    code, reason, message = await refused("DraftAwardDecision", pb.DraftAwardDecisionRequest(
        decision_number="7/QĐ-SGTVT"))
    assert (code, reason) == ("NOT_FOUND", "decision_not_found") and "thu hồi" in message
    code, reason, message = await refused("DraftAwardDecision", pb.DraftAwardDecisionRequest(
        decision_number="999/QĐ-SGTVT"))
    assert (code, reason) == ("NOT_FOUND", "decision_not_found") and "chưa ghi nhận" in message
    assert (await refused("DraftAwardDecision", pb.DraftAwardDecisionRequest()))[:2] == (
        "INVALID_ARGUMENT", "bad_decision_number")
    assert (await refused("DraftCertificate", pb.DraftCertificateRequest(
        decision_id="not-an-id")))[:2] == ("INVALID_ARGUMENT", "bad_decision_id")
    code, reason, message = await refused("DraftCertificate", pb.DraftCertificateRequest(
        decision_id=str(on_dossier.decision_id)))
    assert (code, reason) == ("FAILED_PRECONDITION", "decision_revoked")
    assert "Ghi nhầm số" in message
    # One number, two issuing bodies: the number is wrong, not the document.
    with api.harness.db.begin() as connection:
        decisions.apply(connection, decided("collective", "KCHT", "Phòng Kết cấu",
                                            unit_evidence(), number="7/QĐ-SGTVT"))
        decisions.apply(connection, other_issuer)
    assert (await refused("DraftAwardDecision", pb.DraftAwardDecisionRequest(
        decision_number="7/QĐ-SGTVT")))[:2] == ("INVALID_ARGUMENT", "mixed_issuers")
