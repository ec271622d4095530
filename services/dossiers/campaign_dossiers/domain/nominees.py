"""Who a unit may nominate (đối tượng đề nghị khen thưởng): itself as a collective, or one of its
own officers as an individual, for an award type that admits that kind of nominee."""

from __future__ import annotations

from dataclasses import dataclass

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import NomineeKind
from campaign_contracts.text import nfc
from campaign_dossiers.domain.errors import Refusal, RefusalKind

NOMINEE_KINDS: dict[str, NomineeKind] = {"collective": "collective", "individual": "individual"}


@dataclass(frozen=True)
class Nomination:
    """A nominee for an award type, put forward by a unit."""

    unit_code: str
    award_type: str
    nominee_kind: NomineeKind
    nominee_code: str


def _not_yours(unit_code: str, nominee_code: str) -> Refusal:
    return Refusal(RefusalKind.FORBIDDEN, "not_your_nominee",
                   f"'{nominee_code}' không thuộc đơn vị {unit_code}: đơn vị chỉ đề nghị khen "
                   f"thưởng cho chính mình hoặc cán bộ của mình.")


def nominee_kind(text: str) -> NomineeKind:
    kind = NOMINEE_KINDS.get(text)
    if kind is None:
        raise Refusal(RefusalKind.INVALID, "unknown_nominee_kind",
                      f"Đối tượng '{text}' không hợp lệ: chọn 'collective' (tập thể) "
                      f"hoặc 'individual' (cá nhân).")
    return kind


def check_nomination(
    campaign: Campaign, unit_code: str, award_type: str, kind: NomineeKind, nominee_code: str
) -> Nomination:
    award = campaign.award(award_type)
    if award is None:
        raise Refusal(RefusalKind.INVALID, "unknown_award_type",
                      f"Không có hình thức khen thưởng '{award_type}' trong đợt thi đua.")
    if kind not in award.nominee_kinds:
        raise Refusal(RefusalKind.INVALID, "nominee_kind_not_allowed",
                      f"{award.name} không xét cho đối tượng '{kind}'.")
    if campaign.unit(unit_code) is None:
        raise Refusal(RefusalKind.INVALID, "unknown_unit",
                      f"Đơn vị '{unit_code}' không tham gia đợt thi đua.")
    code = nfc(nominee_code.strip())
    if kind == "collective":
        code = code or unit_code  # a collective nominee is the unit itself
        if code != unit_code:
            if campaign.unit(code) is not None:
                raise _not_yours(unit_code, code)
            raise Refusal(RefusalKind.INVALID, "unknown_nominee",
                          f"Không có đơn vị '{code}' trong đợt thi đua.")
    elif campaign.officer(code, unit_code) is None:
        if any(o.name == code for o in campaign.officers):
            raise _not_yours(unit_code, code)
        raise Refusal(RefusalKind.INVALID, "unknown_nominee",
                      f"Không có cán bộ '{code}' trong đợt thi đua.")
    return Nomination(unit_code, award_type, kind, code)
