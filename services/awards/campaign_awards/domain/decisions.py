"""The Council's decisions (quyết định khen thưởng). Only the Council decides; a decision needs
the nominee's dossier accepted by the Office and forwarded to the Council, or an override reason
the Council records instead. A decision is revoked by a new event, never edited."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from campaign_awards.domain.errors import Refusal, RefusalKind
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    AwardDecided,
    CandidateEvidence,
    DecisionRevoked,
    split_officer_key,
)

COUNCIL = "council"


@dataclass(frozen=True)
class DecideAward:
    decision_number: str
    decision_date: str
    award_type: str
    nominee_kind: str
    nominee_code: str
    signer: str
    note: str = ""
    override_reason: str = ""


@dataclass(frozen=True)
class NominationDossier:
    """A nomination dossier as the awards service follows it from the dossier events."""

    dossier_id: uuid.UUID
    accepted: bool
    forwarded: bool

    @property
    def before_the_council(self) -> bool:
        return self.accepted and self.forwarded


@dataclass(frozen=True)
class RecordedDecision:
    decision_id: uuid.UUID
    decision_number: str
    award_type: str
    nominee_kind: str
    nominee_code: str
    nominee_name: str
    unit_code: str
    dossier_id: uuid.UUID | None
    revoked: bool


def require_council(role: str) -> None:
    if role != COUNCIL:
        raise Refusal(RefusalKind.FORBIDDEN, "council_only",
                      "Chỉ Hội đồng thi đua – khen thưởng được quyết định hoặc thu hồi "
                      "khen thưởng.")


def _invalid(reason: str, message: str) -> Refusal:
    return Refusal(RefusalKind.INVALID, reason, message)


def nominee_of(campaign: Campaign, nominee_kind: str, nominee_code: str) -> tuple[str, str]:
    """(name, unit code) of a nominee, or a refusal naming what is wrong."""
    if nominee_kind == "collective":
        unit = campaign.unit(nominee_code)
        if unit is None:
            raise _invalid("unknown_nominee",
                           f"Đơn vị '{nominee_code}' không tham gia đợt thi đua.")
        return unit.name, unit.code
    if nominee_kind == "individual":
        try:
            unit_code, name = split_officer_key(nominee_code)
        except ValueError:
            raise _invalid("bad_officer_key", f"Cá nhân phải ghi dạng 'MÃ_ĐƠN_VỊ/Họ và tên', "
                           f"nhận được '{nominee_code}'.") from None
        if campaign.unit(unit_code) is None:
            raise _invalid("unknown_nominee", f"Đơn vị '{unit_code}' không tham gia đợt thi đua.")
        return name, unit_code
    raise _invalid("bad_nominee_kind", "Loại đối tượng phải là 'collective' hoặc 'individual'.")


def decide(
    command: DecideAward, campaign: Campaign, *, actor: str,
    dossiers: Sequence[NominationDossier], decided: Sequence[RecordedDecision],
    evidence: CandidateEvidence | None, producer: str,
) -> AwardDecided:
    """The AwardDecided event for a valid decision, or a refusal."""
    award = campaign.award(command.award_type)
    if award is None:
        raise _invalid("unknown_award_type", f"Không có loại khen thưởng '{command.award_type}'. "
                       f"Có: {', '.join(a.code for a in campaign.awards)}.")
    if command.nominee_kind not in award.nominee_kinds:
        raise _invalid("nominee_kind_not_allowed",
                       f"{award.name} không dành cho đối tượng '{command.nominee_kind}'.")
    name, unit_code = nominee_of(campaign, command.nominee_kind, command.nominee_code)
    number = command.decision_number.strip()
    if not number:
        raise _invalid("missing_decision_number", "Cần số quyết định (ví dụ 125/QĐ-SGTVT).")
    try:
        decision_date = date.fromisoformat(command.decision_date.strip())
    except ValueError:
        raise _invalid("bad_decision_date", "Ngày quyết định phải có dạng YYYY-MM-DD.") from None
    if not command.signer.strip():
        raise _invalid("missing_signer", "Cần ghi người ký quyết định.")
    if any(not d.revoked for d in decided):
        raise Refusal(RefusalKind.DUPLICATE, "already_decided",
                      f"{name} đã có quyết định {award.name} còn hiệu lực.")
    ready = next((d for d in dossiers if d.before_the_council), None)
    override = command.override_reason.strip()
    if ready is None and not override:
        raise Refusal(RefusalKind.WRONG_STATE, "dossier_not_forwarded",
                      f"Hồ sơ đề nghị {award.name} cho {name} chưa được Văn phòng Sở tiếp nhận và "
                      "chuyển Hội đồng; cần hồ sơ đã chuyển hoặc ghi lý do quyết định ngoại lệ.")
    return AwardDecided(
        producer=producer, campaign_id=campaign.campaign_id,
        dossier_id=ready.dossier_id if ready else None, award_type=award.code,
        award_name=award.name, nominee_kind=command.nominee_kind,  # type: ignore[arg-type]
        nominee_code=command.nominee_code, nominee_name=name, unit_code=unit_code,
        decision_number=number, decision_date=decision_date, signer=command.signer.strip(),
        note=command.note.strip() or None, override_reason=override or None,
        decided_by=actor, evidence=evidence,
    )


def revoke(
    decision: RecordedDecision | None, decision_id: str, reason: str, *, actor: str,
    campaign_id: str, producer: str,
) -> DecisionRevoked:
    if decision is None:
        raise Refusal(RefusalKind.NOT_FOUND, "decision_not_found",
                      f"Không có quyết định '{decision_id}'.")
    if decision.revoked:
        raise Refusal(RefusalKind.WRONG_STATE, "already_revoked",
                      f"Quyết định {decision.decision_number} đã bị thu hồi.")
    if not reason.strip():
        raise _invalid("missing_reason", "Cần ghi lý do thu hồi quyết định.")
    return DecisionRevoked(
        producer=producer, campaign_id=campaign_id, decision_id=decision.decision_id,
        dossier_id=decision.dossier_id, award_type=decision.award_type,
        nominee_kind=decision.nominee_kind,  # type: ignore[arg-type]
        nominee_code=decision.nominee_code, nominee_name=decision.nominee_name,
        unit_code=decision.unit_code, decision_number=decision.decision_number,
        reason=reason.strip(), revoked_by=actor,
    )
