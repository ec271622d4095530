"""Commands on nomination dossiers: what a caller asks for, imperative, already parsed."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from enum import StrEnum

from campaign_contracts.events import ReviewFinding
from campaign_dossiers.domain.documents import DocumentFile


@dataclass(frozen=True)
class OpenDossier:
    award_type: str
    nominee_kind: str
    nominee_code: str
    dossier_id: uuid.UUID = field(default_factory=uuid.uuid4)


@dataclass(frozen=True)
class AttachDocument:
    dossier_id: uuid.UUID
    set_number: int
    document_kind: str
    document: DocumentFile
    expected_version: int = 0  # 0: whatever the current version is


@dataclass(frozen=True)
class SubmitDossier:
    dossier_id: uuid.UUID
    expected_version: int = 0


class Verdict(StrEnum):
    ACCEPT = "accept"   # tiếp nhận
    RETURN = "return"   # trả lại để bổ sung


@dataclass(frozen=True)
class ReviewDossier:
    dossier_id: uuid.UUID
    verdict: Verdict
    findings: tuple[ReviewFinding, ...] = ()
    note: str | None = None
    expected_version: int = 0


@dataclass(frozen=True)
class ForwardDossier:
    dossier_id: uuid.UUID
    expected_version: int = 0


Command = OpenDossier | AttachDocument | SubmitDossier | ReviewDossier | ForwardDossier
