"""Who may do what (phân quyền): a unit opens, fills, submits and reads its own dossiers; the
Office (Văn phòng Sở) reads every dossier, reviews and forwards them; the Council reads what
was forwarded to it. Everyone else is refused."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from campaign_dossiers.domain.errors import Refusal, RefusalKind


class Role(StrEnum):
    UNIT = "unit"        # phòng, ban, đơn vị
    OFFICE = "office"    # Văn phòng Sở, Thường trực Hội đồng TĐKT
    COUNCIL = "council"  # Hội đồng thi đua – khen thưởng


class Action(StrEnum):
    OPEN = "open"
    ATTACH = "attach"
    SUBMIT = "submit"
    REVIEW = "review"
    FORWARD = "forward"
    READ = "read"
    DRAFT_REPORT = "draft_report"
    DRAFT_DECISION = "draft_decision"
    DRAFT_CERTIFICATE = "draft_certificate"


ALLOWED: dict[Action, frozenset[Role]] = {
    Action.OPEN: frozenset({Role.UNIT}),
    Action.ATTACH: frozenset({Role.UNIT}),
    Action.SUBMIT: frozenset({Role.UNIT}),
    Action.REVIEW: frozenset({Role.OFFICE}),
    Action.FORWARD: frozenset({Role.OFFICE}),
    Action.READ: frozenset({Role.UNIT, Role.OFFICE, Role.COUNCIL}),
    Action.DRAFT_REPORT: frozenset({Role.UNIT, Role.OFFICE}),
    Action.DRAFT_DECISION: frozenset({Role.OFFICE, Role.COUNCIL}),
    Action.DRAFT_CERTIFICATE: frozenset({Role.UNIT, Role.OFFICE, Role.COUNCIL}),
}

ACTION_NAMES: dict[Action, str] = {
    Action.OPEN: "mở hồ sơ",
    Action.ATTACH: "đính kèm tài liệu",
    Action.SUBMIT: "nộp hồ sơ",
    Action.REVIEW: "thẩm định hồ sơ",
    Action.FORWARD: "chuyển hồ sơ lên Hội đồng",
    Action.READ: "xem hồ sơ",
    Action.DRAFT_REPORT: "soạn báo cáo thành tích",
    Action.DRAFT_DECISION: "soạn quyết định khen thưởng",
    Action.DRAFT_CERTIFICATE: "in giấy khen, bằng khen",
}


@dataclass(frozen=True)
class Principal:
    """The caller, as its token identifies it."""

    role: Role
    unit_code: str | None = None
    person: str | None = None

    @property
    def actor(self) -> str:
        """How events name the caller (never the token): role, unit and person where known."""
        return ":".join(p for p in (self.role.value, self.unit_code, self.person) if p)


def require(principal: Principal, action: Action) -> None:
    """Refuse a role that may never do `action`, whatever the dossier."""
    if principal.role not in ALLOWED[action]:
        raise Refusal(
            RefusalKind.FORBIDDEN, "role_not_allowed",
            f"Vai trò '{principal.role.value}' không được {ACTION_NAMES[action]}.",
        )


def require_on_dossier(
    principal: Principal, action: Action, unit_code: str, forwarded: bool
) -> None:
    """Refuse `action` on one dossier of `unit_code` unless the caller may act on it."""
    require(principal, action)
    if principal.role is Role.UNIT and principal.unit_code != unit_code:
        raise Refusal(
            RefusalKind.FORBIDDEN, "not_your_dossier",
            f"Hồ sơ này của đơn vị {unit_code}; đơn vị {principal.unit_code} chỉ được "
            f"{ACTION_NAMES[action]} của chính mình.",
        )
    if principal.role is Role.COUNCIL and not forwarded:
        raise Refusal(
            RefusalKind.FORBIDDEN, "not_forwarded",
            "Hội đồng chỉ xem được hồ sơ đã được Văn phòng chuyển lên.",
        )
