"""Whether a Form 08 may be drafted for a nominee (tiêu chuẩn khen thưởng): only for a current
candidate of the award, as the awards service proposes them. The Office may still ask for a
draft of a nominee who does not qualify; that draft carries a visible "chưa đủ tiêu chuẩn"."""

from __future__ import annotations

from dataclasses import dataclass

from campaign_dossiers.domain.access import Principal, Role
from campaign_dossiers.domain.errors import Refusal, RefusalKind

NOT_QUALIFIED_MARK = "chưa đủ tiêu chuẩn"


@dataclass(frozen=True)
class Standing:
    """Where the nominee stands for the award: proposed, withdrawn (with why), or never."""

    proposed: bool
    unmet: tuple[str, ...] = ()   # the conditions it fails, in words
    withdrawn_reason: str | None = None


@dataclass(frozen=True)
class Permission:
    """A draft may be made; `shortfall` is set (and shown on the page) when it is marked."""

    shortfall: str | None = None


def why_not(standing: Standing | None) -> str:
    if standing is None:
        return "hệ thống chưa đề xuất là ứng viên (chưa có số liệu đạt tiêu chuẩn)"
    reasons = list(standing.unmet)
    if standing.withdrawn_reason:
        reasons.insert(0, standing.withdrawn_reason)
    # One sentence of clauses: each starts in lower case after the first.
    clauses = [r.rstrip(".") for r in reasons if r.strip()]
    clauses = [c[0].lower() + c[1:] for c in clauses]
    return "; ".join(clauses) or "không còn là ứng viên"


def permit_draft(
    principal: Principal, standing: Standing | None, nominee: str, award: str,
    *, not_qualified_requested: bool,
) -> Permission:
    if standing is not None and standing.proposed:
        return Permission()
    reason = why_not(standing)
    if not not_qualified_requested:
        raise Refusal(RefusalKind.WRONG_STATE, "not_a_candidate",
                      f"{nominee} chưa đủ tiêu chuẩn {award}: {reason}. Văn phòng Sở có thể yêu "
                      f"cầu soạn bản có ghi rõ “{NOT_QUALIFIED_MARK}”.")
    if principal.role is not Role.OFFICE:
        raise Refusal(RefusalKind.FORBIDDEN, "only_office_drafts_unqualified",
                      f"Chỉ Văn phòng Sở được yêu cầu soạn báo cáo cho đối tượng "
                      f"{NOT_QUALIFIED_MARK}.")
    return Permission(shortfall=reason)
