"""The nomination dossier aggregate (hồ sơ đề nghị khen thưởng): its state is a fold of its
events, so the command side, the read model and a rebuild from the topic all agree on it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from campaign_contracts.events import (
    DocumentAttached,
    DossierAccepted,
    DossierEvent,
    DossierForwarded,
    DossierOpened,
    DossierReturned,
    DossierSubmitted,
    NomineeKind,
    ReviewFinding,
)
from campaign_dossiers.domain.requirements import Slot


class Status(StrEnum):
    DRAFT = "draft"            # đang lập
    SUBMITTED = "submitted"    # đã nộp, chờ Văn phòng thẩm định
    RETURNED = "returned"      # bị trả lại để bổ sung, sửa
    ACCEPTED = "accepted"      # Văn phòng đã tiếp nhận là hợp lệ
    FORWARDED = "forwarded"    # đã trình Hội đồng thi đua – khen thưởng


STATUS_NAMES: dict[Status, str] = {
    Status.DRAFT: "đang lập", Status.SUBMITTED: "đã nộp, chờ thẩm định",
    Status.RETURNED: "bị trả lại", Status.ACCEPTED: "đã được tiếp nhận",
    Status.FORWARDED: "đã trình Hội đồng",
}


@dataclass(frozen=True)
class AttachedDocument:
    slot: Slot
    filename: str
    content_type: str
    sha256: str
    size_bytes: int
    uploaded_by: str
    attached_at: datetime


@dataclass(frozen=True)
class Dossier:
    dossier_id: uuid.UUID
    campaign_id: str
    campaign_version: str
    unit_code: str
    award_type: str
    nominee_kind: NomineeKind
    nominee_code: str
    opened_at: datetime
    opened_by: str
    updated_at: datetime
    version: int = 1
    status: Status = Status.DRAFT
    documents: tuple[AttachedDocument, ...] = ()  # one per filled slot, in slot order
    submitted_at: datetime | None = None
    submitted_by: str | None = None
    reviewed_at: datetime | None = None
    reviewed_by: str | None = None
    findings: tuple[ReviewFinding, ...] = ()  # of the latest return
    review_note: str | None = None            # of the acceptance
    forwarded_at: datetime | None = None
    forwarded_by: str | None = None

    @property
    def filled(self) -> list[Slot]:
        return [d.slot for d in self.documents]

    @property
    def forwarded(self) -> bool:
        return self.status is Status.FORWARDED

    def document(self, slot: Slot) -> AttachedDocument | None:
        return next((d for d in self.documents if d.slot == slot), None)

    def holds(self, sha256: str) -> bool:
        return any(d.sha256 == sha256 for d in self.documents)

    @staticmethod
    def from_history(events: Iterable[DossierEvent]) -> Dossier | None:
        state: Dossier | None = None
        for event in events:
            state = evolve(state, event)
        return state


def evolve(state: Dossier | None, event: DossierEvent) -> Dossier:
    """The dossier after one more event."""
    if isinstance(event, DossierOpened):
        return Dossier(
            dossier_id=event.dossier_id, campaign_id=event.campaign_id,
            campaign_version=event.campaign_version, unit_code=event.unit_code,
            award_type=event.award_type, nominee_kind=event.nominee_kind,
            nominee_code=event.nominee_code, opened_at=event.occurred_at,
            opened_by=event.opened_by, updated_at=event.occurred_at, version=event.sequence,
        )
    if state is None:
        raise ValueError(f"{event.event_type} {event.event_id} of dossier {event.dossier_id} "
                         f"comes before the dossier was opened")
    moved = replace(state, version=event.sequence, updated_at=event.occurred_at)
    if isinstance(event, DocumentAttached):
        slot = Slot(event.set_number, event.document_kind)
        document = AttachedDocument(
            slot=slot, filename=event.filename, content_type=event.content_type,
            sha256=event.sha256, size_bytes=event.size_bytes, uploaded_by=event.uploaded_by,
            attached_at=event.occurred_at,
        )
        others = [d for d in state.documents if d.slot != slot]
        return replace(moved, documents=tuple(sorted([*others, document], key=lambda d: d.slot)))
    if isinstance(event, DossierSubmitted):
        return replace(moved, status=Status.SUBMITTED, submitted_at=event.occurred_at,
                       submitted_by=event.submitted_by)
    if isinstance(event, DossierAccepted):
        return replace(moved, status=Status.ACCEPTED, reviewed_at=event.occurred_at,
                       reviewed_by=event.reviewed_by, findings=(), review_note=event.note)
    if isinstance(event, DossierReturned):
        return replace(moved, status=Status.RETURNED, reviewed_at=event.occurred_at,
                       reviewed_by=event.reviewed_by, findings=tuple(event.findings),
                       review_note=None)
    if isinstance(event, DossierForwarded):
        return replace(moved, status=Status.FORWARDED, forwarded_at=event.occurred_at,
                       forwarded_by=event.forwarded_by)
    raise TypeError(f"unknown dossier event {type(event).__name__}")  # pragma: no cover
