"""What a complete dossier holds (thành phần hồ sơ): for an award type and a nominee kind, the
campaign file names the document kinds of one set and how many sets. Data, not code."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import NomineeKind
from campaign_dossiers.domain.errors import Refusal, RefusalKind


@dataclass(frozen=True, order=True)
class Slot:
    """One place for a document: set number (bộ hồ sơ thứ mấy) and document kind."""

    set_number: int
    document_kind: str


@dataclass(frozen=True)
class Requirement:
    sets: int
    documents: tuple[str, ...]
    names: dict[str, str]  # document kind -> its Vietnamese name in the campaign file

    @property
    def slots(self) -> list[Slot]:
        return [Slot(n, kind) for n in range(1, self.sets + 1) for kind in self.documents]

    def missing(self, filled: Iterable[Slot]) -> list[Slot]:
        present = set(filled)
        return [slot for slot in self.slots if slot not in present]

    def describe(self, slot: Slot) -> str:
        return f"Bộ {slot.set_number}: {self.names.get(slot.document_kind, slot.document_kind)}"

    def check_slot(self, slot: Slot) -> None:
        if slot.document_kind not in self.documents:
            wanted = ", ".join(self.documents)
            raise Refusal(
                RefusalKind.INVALID, "unknown_document_kind",
                f"Loại tài liệu '{slot.document_kind}' không thuộc thành phần hồ sơ này "
                f"(cần: {wanted}).",
            )
        if not 1 <= slot.set_number <= self.sets:
            raise Refusal(
                RefusalKind.INVALID, "set_out_of_range",
                f"Hồ sơ này gồm {self.sets} bộ; không có bộ số {slot.set_number}.",
            )


def requirement_for(campaign: Campaign, award_type: str, nominee_kind: NomineeKind) -> Requirement:
    award = campaign.award(award_type)
    if award is None:
        raise Refusal(RefusalKind.INVALID, "unknown_award_type",
                      f"Không có hình thức khen thưởng '{award_type}' trong đợt thi đua.")
    rule = award.requirement(nominee_kind)
    return Requirement(
        sets=rule.sets, documents=tuple(rule.documents),
        names={kind: campaign.document_kinds[kind] for kind in rule.documents},
    )
