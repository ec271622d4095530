"""The decisions: given the dossier's state and a command, the events it leads to, or a
`Refusal` that leaves the dossier as it was. Pure: the time and the caller come in a Context."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    DocumentAttached,
    DossierAccepted,
    DossierEvent,
    DossierEventBase,
    DossierForwarded,
    DossierOpened,
    DossierReturned,
    DossierSubmitted,
)
from campaign_dossiers.domain.access import Action, Principal, require, require_on_dossier
from campaign_dossiers.domain.commands import (
    AttachDocument,
    ForwardDossier,
    OpenDossier,
    ReviewDossier,
    SubmitDossier,
    Verdict,
)
from campaign_dossiers.domain.dossier import STATUS_NAMES, Dossier, Status
from campaign_dossiers.domain.errors import Refusal, RefusalKind
from campaign_dossiers.domain.nominees import Nomination, check_nomination, nominee_kind
from campaign_dossiers.domain.requirements import Requirement, Slot, requirement_for

PRODUCER = "dossiers"
FILLABLE = (Status.DRAFT, Status.RETURNED)       # a unit may still add or replace documents
DONE_SUBMITTING = (Status.SUBMITTED, Status.ACCEPTED, Status.FORWARDED)


@dataclass(frozen=True)
class Context:
    """What a decision needs besides the command and the state."""

    campaign: Campaign
    principal: Principal
    now: datetime  # aware; from the injected clock
    correlation_id: uuid.UUID = field(default_factory=uuid.uuid4)


def _event(cls: type[DossierEventBase], dossier: Dossier | Nomination, dossier_id: uuid.UUID,
           sequence: int, ctx: Context, **fields: Any) -> DossierEvent:
    event = cls(
        producer=PRODUCER, occurred_at=ctx.now.astimezone(UTC),
        correlation_id=ctx.correlation_id, dossier_id=dossier_id, sequence=sequence,
        unit_code=dossier.unit_code, award_type=dossier.award_type,
        nominee_kind=dossier.nominee_kind, nominee_code=dossier.nominee_code, **fields,
    )
    return event  # type: ignore[return-value]  # every subclass is a member of DossierEvent


def _next(cls: type[DossierEventBase], dossier: Dossier, ctx: Context,
          **fields: Any) -> DossierEvent:
    """The dossier's next event."""
    return _event(cls, dossier, dossier.dossier_id, dossier.version + 1, ctx, **fields)


def _found(dossier: Dossier | None, dossier_id: uuid.UUID) -> Dossier:
    if dossier is None:
        raise Refusal(RefusalKind.NOT_FOUND, "dossier_not_found",
                      f"Không có hồ sơ {dossier_id}.")
    return dossier


def _at_version(dossier: Dossier, expected: int) -> None:
    if expected and expected != dossier.version:
        raise Refusal(
            RefusalKind.CONFLICT, "version_conflict",
            f"Hồ sơ đã thay đổi (phiên bản {dossier.version}, không phải {expected}): "
            f"hãy tải lại hồ sơ rồi thực hiện lại.",
        )


def requirement_of(dossier: Dossier, campaign: Campaign) -> Requirement:
    if dossier.campaign_id != campaign.campaign_id:
        raise Refusal(RefusalKind.WRONG_STATE, "other_campaign",
                      f"Hồ sơ thuộc đợt thi đua {dossier.campaign_id}, không phải đợt đang mở.")
    return requirement_for(campaign, dossier.award_type, dossier.nominee_kind)


def local_time(moment: datetime, campaign: Campaign) -> str:
    return moment.astimezone(campaign.tz).strftime("%H:%M ngày %d/%m/%Y")


# --- opening -------------------------------------------------------------------------------


def nomination_of(command: OpenDossier, ctx: Context) -> Nomination:
    """Who is nominated for what, once the caller may open dossiers at all."""
    require(ctx.principal, Action.OPEN)
    assert ctx.principal.unit_code is not None, "a unit's token names its unit"
    return check_nomination(
        ctx.campaign, ctx.principal.unit_code, command.award_type,
        nominee_kind(command.nominee_kind), command.nominee_code,
    )


def open_dossier(
    command: OpenDossier, existing: Dossier | None, ctx: Context
) -> list[DossierEvent]:
    """`existing` is the dossier already open for the same nominee and award, if any."""
    nomination = nomination_of(command, ctx)
    if existing is not None:
        raise Refusal(
            RefusalKind.DUPLICATE, "already_open",
            f"Đã có hồ sơ {existing.dossier_id} đề nghị khen thưởng cho '{nomination.nominee_code}'"
            f" ({STATUS_NAMES[existing.status]}).",
        )
    return [_event(
        DossierOpened, nomination, command.dossier_id, 1, ctx,
        campaign_id=ctx.campaign.campaign_id, campaign_version=ctx.campaign.version,
        opened_by=ctx.principal.actor,
    )]


# --- filling and submitting ----------------------------------------------------------------


def attach_document(
    command: AttachDocument, dossier: Dossier | None, ctx: Context
) -> list[DossierEvent]:
    found = _found(dossier, command.dossier_id)
    require_on_dossier(ctx.principal, Action.ATTACH, found.unit_code, found.forwarded)
    _at_version(found, command.expected_version)
    if found.status not in FILLABLE:
        raise Refusal(
            RefusalKind.WRONG_STATE, "wrong_state",
            f"Hồ sơ {STATUS_NAMES[found.status]}: chỉ bổ sung tài liệu khi hồ sơ đang lập "
            f"hoặc bị trả lại.",
        )
    slot = Slot(command.set_number, command.document_kind)
    requirement = requirement_of(found, ctx.campaign)
    requirement.check_slot(slot)
    current = found.document(slot)
    document = command.document
    if current is not None and current.sha256 == document.sha256:
        raise Refusal(RefusalKind.DUPLICATE, "same_document",
                      f"{requirement.describe(slot)} đã có đúng tệp này ('{current.filename}').")
    return [_next(
        DocumentAttached, found, ctx, set_number=slot.set_number,
        document_kind=slot.document_kind, filename=document.filename,
        content_type=document.content_type.value,
        sha256=document.sha256, size_bytes=document.size_bytes, uploaded_by=ctx.principal.actor,
        replaces_sha256=current.sha256 if current else None,
    )]


def deadline_text(campaign: Campaign) -> str:
    last_day = campaign.deadline_end - timedelta(days=1)
    return f"hết ngày {last_day:%d/%m/%Y} (giờ {campaign.time_zone})"


def submit_dossier(
    command: SubmitDossier, dossier: Dossier | None, ctx: Context
) -> list[DossierEvent]:
    found = _found(dossier, command.dossier_id)
    require_on_dossier(ctx.principal, Action.SUBMIT, found.unit_code, found.forwarded)
    _at_version(found, command.expected_version)
    if found.status in DONE_SUBMITTING:
        assert found.submitted_at is not None
        raise Refusal(
            RefusalKind.DUPLICATE, "already_submitted",
            f"Hồ sơ đã được nộp lúc {local_time(found.submitted_at, ctx.campaign)} "
            f"({STATUS_NAMES[found.status]}).",
        )
    campaign = ctx.campaign
    requirement = requirement_of(found, campaign)
    if ctx.now >= campaign.deadline_end:
        raise Refusal(
            RefusalKind.WRONG_STATE, "deadline_passed",
            f"Đã quá hạn nộp hồ sơ đề nghị khen thưởng: hạn cuối là {deadline_text(campaign)}, "
            f"nay đã {local_time(ctx.now, campaign)}.",
        )
    missing = requirement.missing(found.filled)
    if missing:
        raise Refusal(
            RefusalKind.WRONG_STATE, "incomplete",
            "Hồ sơ chưa đủ thành phần, còn thiếu: "
            + "; ".join(requirement.describe(slot) for slot in missing) + ".",
        )
    return [_next(DossierSubmitted, found, ctx, submitted_by=ctx.principal.actor,
                  deadline=campaign.deadline_end)]


# --- review by the Office ------------------------------------------------------------------


def review_dossier(
    command: ReviewDossier, dossier: Dossier | None, ctx: Context
) -> list[DossierEvent]:
    found = _found(dossier, command.dossier_id)
    require_on_dossier(ctx.principal, Action.REVIEW, found.unit_code, found.forwarded)
    _at_version(found, command.expected_version)
    if found.status is not Status.SUBMITTED:
        raise Refusal(
            RefusalKind.WRONG_STATE, "wrong_state",
            f"Hồ sơ {STATUS_NAMES[found.status]}: chỉ thẩm định hồ sơ đã nộp và đang chờ.",
        )
    if command.verdict is Verdict.ACCEPT:
        return [_next(DossierAccepted, found, ctx, reviewed_by=ctx.principal.actor,
                      note=command.note or None)]
    if not command.findings:
        raise Refusal(RefusalKind.INVALID, "findings_required",
                      "Trả lại hồ sơ cần nêu rõ thiếu hoặc sai ở đâu.")
    requirement = requirement_of(found, ctx.campaign)
    for finding in command.findings:
        if finding.document_kind is not None:
            requirement.check_slot(Slot(finding.set_number or 1, finding.document_kind))
        elif finding.set_number is not None and finding.set_number > requirement.sets:
            requirement.check_slot(Slot(finding.set_number, requirement.documents[0]))
    return [_next(DossierReturned, found, ctx, reviewed_by=ctx.principal.actor,
                  findings=list(command.findings))]


def forward_dossier(
    command: ForwardDossier, dossier: Dossier | None, ctx: Context
) -> list[DossierEvent]:
    found = _found(dossier, command.dossier_id)
    require_on_dossier(ctx.principal, Action.FORWARD, found.unit_code, found.forwarded)
    _at_version(found, command.expected_version)
    if found.status is Status.FORWARDED:
        raise Refusal(RefusalKind.DUPLICATE, "already_forwarded",
                      "Hồ sơ đã được trình Hội đồng thi đua – khen thưởng.")
    if found.status is not Status.ACCEPTED:
        raise Refusal(
            RefusalKind.WRONG_STATE, "not_accepted",
            f"Hồ sơ {STATUS_NAMES[found.status]}: chỉ trình Hội đồng hồ sơ đã được tiếp nhận.",
        )
    return [_next(DossierForwarded, found, ctx, forwarded_by=ctx.principal.actor)]
