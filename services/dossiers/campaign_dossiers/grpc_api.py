"""gRPC API of the dossiers service (campaign.dossiers.v1): authenticates the caller, turns
requests into commands and queries, and answers refusals with their status, message and reason
(trailing metadata `refusal-reason`)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, NoReturn

import grpc
from pydantic import ValidationError

from campaign.dossiers.v1 import dossiers_pb2, dossiers_pb2_grpc
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import ReviewFinding, SubjectKind
from campaign_dossiers import read_model
from campaign_dossiers.auth import AccessTokens
from campaign_dossiers.awards_view import RecordedDecision, decisions_for, subject_key
from campaign_dossiers.blobs import BlobNotFound, BlobStore, StagedUpload
from campaign_dossiers.clock import Clock
from campaign_dossiers.domain.access import Action, Principal, Role, require, require_on_dossier
from campaign_dossiers.domain.commands import (
    AttachDocument,
    ForwardDossier,
    OpenDossier,
    ReviewDossier,
    SubmitDossier,
    Verdict,
)
from campaign_dossiers.domain.decisions import requirement_of
from campaign_dossiers.domain.documents import inspect_document, too_large
from campaign_dossiers.domain.dossier import Dossier, Status
from campaign_dossiers.domain.errors import Refusal, RefusalKind
from campaign_dossiers.drafting import Drafted, Drafting
from campaign_dossiers.figures import figures_of
from campaign_dossiers.handlers import CommandBus
from campaign_kit.api_values import fraction, rfc3339
from campaign_kit.db import Database
from campaign_kit.grpc_errors import abort
from campaign_kit.grpc_errors import answers_refusals as refusals_answered

log = logging.getLogger(__name__)

Context = grpc.aio.ServicerContext[Any, Any]
CHUNK_BYTES = 1024 * 1024
MAX_CONCURRENT_UPLOADS = 4  # each holds at most a chunk in memory; the rest is on disk

STATUS: dict[RefusalKind, grpc.StatusCode] = {
    RefusalKind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    RefusalKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    RefusalKind.WRONG_STATE: grpc.StatusCode.FAILED_PRECONDITION,
    RefusalKind.DUPLICATE: grpc.StatusCode.ALREADY_EXISTS,
    RefusalKind.FORBIDDEN: grpc.StatusCode.PERMISSION_DENIED,
    RefusalKind.TOO_LARGE: grpc.StatusCode.RESOURCE_EXHAUSTED,
    RefusalKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    RefusalKind.CONFLICT: grpc.StatusCode.ABORTED,
}
VERDICTS = {
    dossiers_pb2.VERDICT_ACCEPT: Verdict.ACCEPT, dossiers_pb2.VERDICT_RETURN: Verdict.RETURN,
}

answers_refusals = refusals_answered(Refusal, STATUS)


async def abort_with(context: Context, refusal: Refusal) -> NoReturn:
    await abort(context, STATUS[refusal.kind], refusal.reason, refusal.message)


def dossier_id_of(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise Refusal(RefusalKind.INVALID, "bad_dossier_id",
                      f"Mã hồ sơ '{text}' không hợp lệ.") from None




def to_message(dossier: Dossier, campaign: Campaign) -> dossiers_pb2.Dossier:
    award = campaign.award(dossier.award_type)
    try:
        requirement = requirement_of(dossier, campaign)
    except Refusal:
        requirement = None  # a dossier of another campaign: its rules are not loaded here
    message = dossiers_pb2.Dossier(
        dossier_id=str(dossier.dossier_id), version=dossier.version,
        campaign_id=dossier.campaign_id, unit_code=dossier.unit_code,
        award_type=dossier.award_type, award_name=award.name if award else "",
        nominee_kind=dossier.nominee_kind, nominee_code=dossier.nominee_code,
        status=dossier.status.value, required_sets=requirement.sets if requirement else 0,
        opened_at=rfc3339(dossier.opened_at), opened_by=dossier.opened_by,
        submitted_at=rfc3339(dossier.submitted_at), reviewed_at=rfc3339(dossier.reviewed_at),
        reviewed_by=dossier.reviewed_by or "", review_note=dossier.review_note or "",
        forwarded_at=rfc3339(dossier.forwarded_at), updated_at=rfc3339(dossier.updated_at),
    )
    names = campaign.document_kinds
    for d in dossier.documents:
        message.documents.add(
            set_number=d.slot.set_number, document_kind=d.slot.document_kind,
            document_name=names.get(d.slot.document_kind, ""), filename=d.filename,
            content_type=d.content_type, sha256=d.sha256, size_bytes=d.size_bytes,
            uploaded_by=d.uploaded_by, attached_at=rfc3339(d.attached_at),
        )
    if requirement is not None:
        for slot in requirement.missing(dossier.filled):
            message.missing.add(set_number=slot.set_number, document_kind=slot.document_kind,
                                document_name=names.get(slot.document_kind, ""))
        message.complete = not message.missing
    for f in dossier.findings:
        message.findings.add(document_kind=f.document_kind or "", set_number=f.set_number or 0,
                             note=f.note)
    return message


def _findings(request: dossiers_pb2.ReviewDossierRequest) -> tuple[ReviewFinding, ...]:
    try:
        return tuple(
            ReviewFinding(document_kind=f.document_kind or None, set_number=f.set_number or None,
                          note=f.note.strip())
            for f in request.findings
        )
    except ValidationError:
        raise Refusal(RefusalKind.INVALID, "bad_finding",
                      "Mỗi nội dung trả lại cần ghi rõ thiếu hoặc sai gì.") from None


class DossiersServicer(dossiers_pb2_grpc.DossiersServiceServicer):  # type: ignore[misc]
    def __init__(
        self, db: Database, campaign: Campaign, bus: CommandBus, tokens: AccessTokens,
        blobs: BlobStore, clock: Clock, max_document_bytes: int,
        after_command: Callable[[], Awaitable[object]] | None = None,
        drafting: Drafting | None = None,
        max_concurrent_uploads: int = MAX_CONCURRENT_UPLOADS,
    ) -> None:
        self.db = db
        self.drafting = drafting or Drafting(db, campaign, clock, None)
        self.campaign = campaign
        self.bus = bus
        self.tokens = tokens
        self.blobs = blobs
        self.clock = clock
        self.max_document_bytes = max_document_bytes
        self.after_command = after_command
        self._uploads = asyncio.Semaphore(max_concurrent_uploads)

    # --- helpers ---------------------------------------------------------------------------

    def _caller(self, context: Context) -> Principal:
        return self.tokens.authenticate(context.invocation_metadata())

    def _correlation(self, context: Context) -> uuid.UUID | None:
        for key, value in context.invocation_metadata() or ():
            if key == "x-correlation-id":
                try:
                    return uuid.UUID(str(value))
                except ValueError:
                    return None
        return None

    async def _run(self, context: Context, principal: Principal, command: Any) -> Dossier:
        dossier = self.bus.handle(command, principal, self._correlation(context))
        if self.after_command is not None:
            try:
                await self.after_command()  # publish now rather than at the next relay tick
            except Exception:
                log.warning("publishing after a command failed; the relay retries",
                            exc_info=True)
        return dossier

    def _readable(self, principal: Principal, dossier_id: uuid.UUID) -> Dossier:
        require(principal, Action.READ)
        with self.db.begin() as connection:
            dossier = read_model.get(connection, dossier_id)
        if dossier is None:
            raise Refusal(RefusalKind.NOT_FOUND, "dossier_not_found",
                          f"Không có hồ sơ {dossier_id}.")
        require_on_dossier(principal, Action.READ, dossier.unit_code, dossier.forwarded)
        return dossier

    # --- figures (open to every caller: the same figures the metrics service serves) ------

    @answers_refusals
    async def GetNomineeFigures(
        self, request: dossiers_pb2.GetNomineeFiguresRequest, context: Context
    ) -> dossiers_pb2.GetNomineeFiguresResponse:
        if request.subject_kind not in (SubjectKind.UNIT.value, SubjectKind.OFFICER.value):
            raise Refusal(RefusalKind.INVALID, "bad_subject_kind",
                          f"Loại đối tượng '{request.subject_kind}' không hợp lệ: chọn 'unit' "
                          "hoặc 'officer'.")
        if not request.subject_code:
            raise Refusal(RefusalKind.INVALID, "missing_subject_code",
                          "Cần mã đơn vị hoặc cán bộ (subject_code).")
        kind, code = SubjectKind(request.subject_kind), request.subject_code
        with self.db.begin() as connection:
            figures = figures_of(connection, kind, code)
        if not figures and not self._known_subject(kind, code):
            # An empty answer would read "no figures yet" about someone who does not exist.
            who = "đơn vị" if kind is SubjectKind.UNIT else "cán bộ"
            raise Refusal(RefusalKind.NOT_FOUND, "unknown_subject",
                          f"Không có {who} '{code}' trong đợt thi đua.")
        return dossiers_pb2.GetNomineeFiguresResponse(figures=[
            dossiers_pb2.NomineeFigure(
                indicator=f.indicator, numerator=f.figure.numerator,
                denominator=f.figure.denominator, rate=fraction(f.figure.rate),
                target=fraction(f.target), target_met=f.target_met, as_of=rfc3339(f.as_of),
            )
            for f in figures
        ])

    def _known_subject(self, kind: SubjectKind, code: str) -> bool:
        """A unit of the campaign file, or an officer it names (by name or UNIT/name key)."""
        if kind is SubjectKind.UNIT:
            return self.campaign.unit(code) is not None
        return any(code in (o.name, f"{o.unit_code}/{o.name}") for o in self.campaign.officers)

    # --- commands --------------------------------------------------------------------------

    @answers_refusals
    async def OpenDossier(
        self, request: dossiers_pb2.OpenDossierRequest, context: Context
    ) -> dossiers_pb2.Dossier:
        principal = self._caller(context)
        command = OpenDossier(request.award_type, request.nominee_kind, request.nominee_code)
        return to_message(await self._run(context, principal, command), self.campaign)

    @answers_refusals
    async def AttachDocument(
        self, request_iterator: AsyncIterator[dossiers_pb2.AttachDocumentRequest],
        context: Context,
    ) -> dossiers_pb2.Dossier:
        principal = self._caller(context)  # before a byte of the upload is read
        require(principal, Action.ATTACH)
        if self._uploads.locked():  # refused at once: a queued upload would hold its stream
            await abort(context, grpc.StatusCode.RESOURCE_EXHAUSTED, "too_many_uploads",
                        "Máy chủ đang nhận quá nhiều tệp cùng lúc; vui lòng gửi lại sau ít phút.")
        async with self._uploads:
            staged = self.blobs.stage()
            try:
                return await self._attach(request_iterator, context, principal, staged)
            finally:
                staged.discard()  # refused, or already moved into the store

    async def _attach(
        self, request_iterator: AsyncIterator[dossiers_pb2.AttachDocumentRequest],
        context: Context, principal: Principal, staged: StagedUpload,
    ) -> dossiers_pb2.Dossier:
        """Receive an upload into the staging file chunk by chunk, check it there, attach it."""
        header: dossiers_pb2.DocumentHeader | None = None
        received = 0
        async for part in request_iterator:
            if part.WhichOneof("part") == "header":
                if header is not None:
                    raise Refusal(RefusalKind.INVALID, "bad_upload",
                                  "Mỗi lần tải lên chỉ một phần thông tin tệp.")
                header = part.header
                continue
            if header is None:
                raise Refusal(RefusalKind.INVALID, "bad_upload",
                              "Gửi thông tin tệp (header) trước nội dung.")
            received += len(part.chunk)
            if received > self.max_document_bytes:
                raise too_large(received, self.max_document_bytes)  # stop reading right away
            staged.write(part.chunk)
        if header is None:
            raise Refusal(RefusalKind.INVALID, "bad_upload", "Thiếu thông tin tệp (header).")
        content = staged.finish()
        document = await asyncio.to_thread(  # parsing a large PDF must not stall other calls
            inspect_document, header.filename, content, self.max_document_bytes, staged)
        command = AttachDocument(
            dossier_id=dossier_id_of(header.dossier_id), set_number=header.set_number,
            document_kind=header.document_kind, document=document,
            expected_version=header.expected_version,
        )
        return to_message(await self._run(context, principal, command), self.campaign)

    @answers_refusals
    async def SubmitDossier(
        self, request: dossiers_pb2.SubmitDossierRequest, context: Context
    ) -> dossiers_pb2.Dossier:
        principal = self._caller(context)
        command = SubmitDossier(dossier_id_of(request.dossier_id), request.expected_version)
        return to_message(await self._run(context, principal, command), self.campaign)

    @answers_refusals
    async def ReviewDossier(
        self, request: dossiers_pb2.ReviewDossierRequest, context: Context
    ) -> dossiers_pb2.Dossier:
        principal = self._caller(context)
        require(principal, Action.REVIEW)
        verdict = VERDICTS.get(request.verdict)
        if verdict is None:
            raise Refusal(RefusalKind.INVALID, "bad_verdict",
                          "Chọn kết quả thẩm định: tiếp nhận (ACCEPT) hoặc trả lại (RETURN).")
        command = ReviewDossier(
            dossier_id_of(request.dossier_id), verdict, _findings(request),
            request.note.strip() or None, request.expected_version,
        )
        return to_message(await self._run(context, principal, command), self.campaign)

    @answers_refusals
    async def ForwardDossier(
        self, request: dossiers_pb2.ForwardDossierRequest, context: Context
    ) -> dossiers_pb2.Dossier:
        principal = self._caller(context)
        command = ForwardDossier(dossier_id_of(request.dossier_id), request.expected_version)
        return to_message(await self._run(context, principal, command), self.campaign)

    # --- queries ---------------------------------------------------------------------------

    @answers_refusals
    async def GetDossier(
        self, request: dossiers_pb2.GetDossierRequest, context: Context
    ) -> dossiers_pb2.Dossier:
        principal = self._caller(context)
        dossier = self._readable(principal, dossier_id_of(request.dossier_id))
        message = to_message(dossier, self.campaign)
        key = subject_key(dossier.nominee_kind, dossier.unit_code, dossier.nominee_code)
        with self.db.begin() as connection:
            _decisions(message, decisions_for(connection, dossier.dossier_id,
                                              dossier.award_type, dossier.nominee_kind, key))
        return message

    @answers_refusals
    async def ListDossiers(
        self, request: dossiers_pb2.ListDossiersRequest, context: Context
    ) -> dossiers_pb2.ListDossiersResponse:
        principal = self._caller(context)
        require(principal, Action.READ)
        unit_code = request.unit_code or None
        if principal.role is Role.UNIT:
            if unit_code not in (None, principal.unit_code):
                raise Refusal(RefusalKind.FORBIDDEN, "not_your_dossier",
                              f"Đơn vị {principal.unit_code} chỉ xem được hồ sơ của mình.")
            unit_code = principal.unit_code
        try:
            status = Status(request.status) if request.status else None
        except ValueError:
            raise Refusal(RefusalKind.INVALID, "bad_status",
                          f"Trạng thái '{request.status}' không hợp lệ.") from None
        if request.unit_code and self.campaign.unit(request.unit_code) is None:
            raise Refusal(RefusalKind.NOT_FOUND, "unknown_unit",
                          f"Không có đơn vị mã '{request.unit_code}' trong đợt thi đua.")
        if request.award_type and self.campaign.award(request.award_type) is None:
            raise Refusal(RefusalKind.NOT_FOUND, "unknown_award_type",
                          f"Đợt thi đua không có loại khen thưởng '{request.award_type}'.")
        visible = frozenset({Status.FORWARDED}) if principal.role is Role.COUNCIL else None
        with self.db.begin() as connection:
            found = read_model.find(
                connection, self.campaign.campaign_id, unit_code=unit_code, status=status,
                award_type=request.award_type or None, statuses=visible,
            )
        return dossiers_pb2.ListDossiersResponse(
            dossiers=[to_message(d, self.campaign) for d in found]
        )

    async def DownloadDocument(
        self, request: dossiers_pb2.DownloadDocumentRequest, context: Context
    ) -> AsyncIterator[dossiers_pb2.DocumentChunk]:
        try:
            principal = self._caller(context)
            dossier = self._readable(principal, dossier_id_of(request.dossier_id))
            if not dossier.holds(request.sha256):
                raise Refusal(RefusalKind.NOT_FOUND, "document_not_found",
                              f"Hồ sơ không có tài liệu {request.sha256}.")
            data = self.blobs.get(request.sha256)
        except Refusal as refusal:
            await abort_with(context, refusal)
        except BlobNotFound:
            log.error("a document named by a dossier is missing from the blob store",
                      extra={"dossier_id": request.dossier_id, "sha256": request.sha256})
            await context.abort(grpc.StatusCode.DATA_LOSS, "Tệp của tài liệu không còn trong kho.")
        for start in range(0, len(data), CHUNK_BYTES):
            yield dossiers_pb2.DocumentChunk(chunk=data[start:start + CHUNK_BYTES])

    # --- documents people sign --------------------------------------------------------------

    @answers_refusals
    async def DraftAchievementReport(
        self, request: dossiers_pb2.DraftAchievementReportRequest, context: Context
    ) -> dossiers_pb2.DraftAchievementReportResponse:
        drafted = self.drafting.achievement_report(
            self._caller(context), request.nominee_kind, request.award_type,
            request.nominee_code, mark_not_qualified=request.mark_not_qualified,
        )
        return dossiers_pb2.DraftAchievementReportResponse(
            filename=drafted.filename, docx=drafted.content, as_of=rfc3339(drafted.as_of),
        )

    @answers_refusals
    async def DraftAwardDecision(
        self, request: dossiers_pb2.DraftAwardDecisionRequest, context: Context
    ) -> dossiers_pb2.DraftedDocument:
        drafted = self.drafting.award_decision(self._caller(context), request.decision_number)
        return _drafted(drafted)

    @answers_refusals
    async def DraftCertificate(
        self, request: dossiers_pb2.DraftCertificateRequest, context: Context
    ) -> dossiers_pb2.DraftedDocument:
        return _drafted(self.drafting.certificate(self._caller(context), request.decision_id))


def _drafted(drafted: Drafted) -> dossiers_pb2.DraftedDocument:
    return dossiers_pb2.DraftedDocument(filename=drafted.filename,
                                        content_type=drafted.content_type,
                                        content=drafted.content)


def _decisions(message: dossiers_pb2.Dossier, recorded: list[RecordedDecision]) -> None:
    for r in recorded:
        d = r.decision
        message.decisions.add(
            decision_id=str(d.decision_id), decision_number=d.decision_number,
            decision_date=d.decision_date.isoformat(), award_type=d.award_type,
            award_name=d.award_name, signer=d.signer, revoked=not r.in_force,
            revoked_reason=r.revoked_reason or "",
        )
