"""Nomination dossiers in the browser (hồ sơ đề nghị khen thưởng): a unit opens one for a
nominee, uploads the documents (streamed on to the dossiers service, which checks each by its
content), sees what is missing and the review's findings, submits; the Office reviews and
forwards. The dossiers service decides who may see or change what: a unit asking for another
unit's dossier, even by editing the URL, gets that service's refusal in Vietnamese."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import grpc
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from campaign.dossiers.v1 import dossiers_pb2 as pb
from campaign_workspace.clients import ServiceError
from campaign_workspace.web import (
    Refused,
    back,
    caller_of,
    checked_form,
    field,
    notice_of,
    page,
    session_of,
    signed_in,
    workspace_of,
)

CHUNK_BYTES = 256 * 1024  # well under the service's 1 MiB per message
READ_MODEL_WAIT_S = 5.0    # queries answer from a projection a moment behind the commands
MAX_FINDINGS = 3


def _version(text: str) -> int:
    try:
        return max(0, int(text))
    except ValueError:
        return 0


async def _dossier(request: Request, dossier_id: str, at_least: int = 0) -> Any:
    """The dossier as the read model has it, waiting briefly for a change just made."""
    workspace = workspace_of(request)
    deadline = time.monotonic() + READ_MODEL_WAIT_S
    while True:
        try:
            dossier = await workspace.services.call(
                caller_of(request), "dossiers", "GetDossier", pb.GetDossierRequest(
                    dossier_id=dossier_id))
            if dossier.version >= at_least or time.monotonic() > deadline:
                return dossier
        except ServiceError as error:
            if error.code is not grpc.StatusCode.NOT_FOUND or not at_least \
                    or time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.1)


def _dossier_page(request: Request, dossier: Any, *, error: str | None = None,
                  status: int = 200) -> Response:
    workspace = workspace_of(request)
    award = workspace.campaign.award(dossier.award_type)
    kinds = workspace.campaign.document_kinds
    slots = ([(s, k, kinds.get(k, k)) for s in range(1, dossier.required_sets + 1)
              for k in award.requirement(dossier.nominee_kind).documents]
             if award and dossier.nominee_kind in ("collective", "individual") else [])
    return page(request, "dossier.html", status=status, dossier=dossier, slots=slots,
                error=error, notice=notice_of(request), max_findings=MAX_FINDINGS,
                deadline=workspace.campaign.dossier_deadline)


@signed_in("unit", "office", "council")
async def dossier_list(request: Request) -> Response:
    workspace = workspace_of(request)
    session = session_of(request)
    status = request.query_params.get("status", "")
    reply = await workspace.services.call(caller_of(request), "dossiers", "ListDossiers",
                                          pb.ListDossiersRequest(status=status))
    officers = [o for o in workspace.campaign.officers if o.unit_code == session.unit_code]
    return page(request, "dossiers.html", dossiers=list(reply.dossiers), status_filter=status,
                officers=officers, awards=workspace.campaign.awards, error=None,
                deadline=workspace.campaign.dossier_deadline)


@signed_in("unit")
async def open_dossier(request: Request) -> Response:
    form = await checked_form(request)
    session = session_of(request)
    kind = field(form, "nominee_kind")
    nominee = session.unit_code or "" if kind == "collective" else field(form, "officer")
    try:
        dossier = await workspace_of(request).services.call(
            caller_of(request), "dossiers", "OpenDossier", pb.OpenDossierRequest(
                award_type=field(form, "award_type"), nominee_kind=kind, nominee_code=nominee))
    except ServiceError as error:
        raise Refused(error.http_status, error.message) from None
    return back(f"/dossiers/{dossier.dossier_id}?v={dossier.version}", "opened")


@signed_in("unit", "office", "council")
async def dossier_page(request: Request) -> Response:
    dossier = await _dossier(request, str(request.path_params["dossier_id"]),
                             _version(request.query_params.get("v", "0")))
    return _dossier_page(request, dossier)


async def _chunks(header: Any, upload: UploadFile) -> AsyncIterator[Any]:
    yield pb.AttachDocumentRequest(header=header)
    while chunk := await upload.read(CHUNK_BYTES):
        yield pb.AttachDocumentRequest(chunk=chunk)


async def _act(request: Request, dossier_id: str, method: str, message: Any,
               notice: str) -> Response:
    """One command on a dossier; a refusal shows the dossier again with the reason."""
    try:
        dossier = await workspace_of(request).services.call(
            caller_of(request), "dossiers", method, message)
    except ServiceError as error:
        current = await _dossier(request, dossier_id)
        return _dossier_page(request, current, error=error.message, status=error.http_status)
    return back(f"/dossiers/{dossier_id}?v={dossier.version}", notice)


@signed_in("unit")
async def attach_document(request: Request) -> Response:
    dossier_id = str(request.path_params["dossier_id"])
    form = await checked_form(request)
    upload = form.get("file")
    slot = field(form, "slot")
    set_text, _, kind = slot.partition(":")
    if not isinstance(upload, UploadFile) or not upload.filename or not kind:
        current = await _dossier(request, dossier_id)
        return _dossier_page(request, current, status=400,
                             error="Chọn loại tài liệu và tệp cần tải lên.")
    header = pb.DocumentHeader(dossier_id=dossier_id, set_number=_version(set_text) or 1,
                               document_kind=kind, filename=upload.filename,
                               expected_version=_version(field(form, "version")))
    try:
        dossier = await workspace_of(request).services.call_streaming_in(
            caller_of(request), "dossiers", "AttachDocument", _chunks(header, upload))
    except ServiceError as error:
        current = await _dossier(request, dossier_id)
        return _dossier_page(request, current, error=f"Tệp “{upload.filename}” không được "
                             f"nhận: {error.message}", status=error.http_status)
    finally:
        await upload.close()
    return back(f"/dossiers/{dossier_id}?v={dossier.version}", "attached")


async def _versioned_command(request: Request, method: str, message_type: Any,
                             notice: str) -> Response:
    """A command that names only the dossier and the version the person saw."""
    dossier_id = str(request.path_params["dossier_id"])
    form = await checked_form(request)
    return await _act(request, dossier_id, method, message_type(
        dossier_id=dossier_id, expected_version=_version(field(form, "version"))), notice)


@signed_in("unit")
async def submit_dossier(request: Request) -> Response:
    return await _versioned_command(request, "SubmitDossier", pb.SubmitDossierRequest,
                                    "submitted")


@signed_in("office")
async def review_dossier(request: Request) -> Response:
    dossier_id = str(request.path_params["dossier_id"])
    form = await checked_form(request)
    verdict = field(form, "verdict")
    findings = []
    for index in range(MAX_FINDINGS):
        note = field(form, f"finding_{index}")
        if note:
            set_text, _, kind = field(form, f"finding_slot_{index}").partition(":")
            findings.append(pb.ReviewFinding(document_kind=kind, set_number=_version(set_text),
                                             note=note))
    message = pb.ReviewDossierRequest(
        dossier_id=dossier_id, findings=findings, note=field(form, "note"),
        verdict=pb.VERDICT_ACCEPT if verdict == "accept" else
        pb.VERDICT_RETURN if verdict == "return" else pb.VERDICT_UNSPECIFIED,
        expected_version=_version(field(form, "version")))
    return await _act(request, dossier_id, "ReviewDossier", message,
                      "accepted" if verdict == "accept" else "returned")


@signed_in("office")
async def forward_dossier(request: Request) -> Response:
    return await _versioned_command(request, "ForwardDossier", pb.ForwardDossierRequest,
                                    "forwarded")


def _attachment(data: bytes, filename: str, media_type: str) -> Response:
    # RFC 5987: Vietnamese file names travel percent-encoded, with an ASCII fallback.
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(filename)}"})


@signed_in("unit", "office", "council")
async def download_document(request: Request) -> Response:
    dossier_id = str(request.path_params["dossier_id"])
    sha256 = str(request.path_params["sha256"])
    dossier = await _dossier(request, dossier_id)
    document = next((d for d in dossier.documents if d.sha256 == sha256), None)
    if document is None:
        raise Refused(404, "Hồ sơ không có tài liệu này.")
    parts = await workspace_of(request).services.call_streaming_out(
        caller_of(request), "dossiers", "DownloadDocument",
        pb.DownloadDocumentRequest(dossier_id=dossier_id, sha256=sha256))
    return _attachment(b"".join(p.chunk for p in parts), document.filename,
                       document.content_type or "application/octet-stream")


@signed_in("unit", "office", "council")
async def form08(request: Request) -> Response:
    """The drafted achievement report (Mẫu số 08) of a dossier's nominee, as DOCX. The dossiers
    service drafts it only for a current candidate; the Office may ask (`?danh_dau=1`) for a
    draft marked "chưa đủ tiêu chuẩn", and the service checks that role itself."""
    dossier = await _dossier(request, str(request.path_params["dossier_id"]))
    reply = await workspace_of(request).services.call(
        caller_of(request), "dossiers", "DraftAchievementReport",
        pb.DraftAchievementReportRequest(award_type=dossier.award_type,
                                         nominee_kind=dossier.nominee_kind,
                                         nominee_code=dossier.nominee_code,
                                         mark_not_qualified=request.query_params.get(
                                             "danh_dau") == "1"))
    return _attachment(reply.docx, reply.filename or "bao-cao-thanh-tich.docx",
                       "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


@signed_in("office")
async def review_queue(request: Request) -> Response:
    """The Office's queue: submitted dossiers to review, accepted ones to forward."""
    workspace = workspace_of(request)
    caller = caller_of(request)
    submitted, accepted, returned = await asyncio.gather(*(
        workspace.services.call(caller, "dossiers", "ListDossiers",
                                pb.ListDossiersRequest(status=status))
        for status in ("submitted", "accepted", "returned")))
    return page(request, "review.html", submitted=list(submitted.dossiers),
                accepted=list(accepted.dossiers), returned=list(returned.dossiers))
