"""The events services publish. Names are past tense; every event carries the envelope.

Figures are always numerator and denominator with the rate beside them; a rate of None means
n/a (zero denominator), which is neither 0% nor 100%.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    StringConstraints,
    TypeAdapter,
    model_validator,
)

from campaign_contracts.envelope import Event
from campaign_contracts.text import NfcStr

RATE_PLACES = Decimal("0.0001")


IndicatorCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z][A-Z0-9_]{0,15}$"),
    Field(description="Indicator code as the campaign file declares it", examples=["K1", "K4"]),
]
"""An indicator is named by the campaign file, not by this package: a new indicator is a
metrics plug-in plus YAML, and no other service is redeployed for it."""


class SubjectKind(StrEnum):
    UNIT = "unit"
    OFFICER = "officer"
    DEPARTMENT = "department"


class PeriodKind(StrEnum):
    CAMPAIGN = "campaign"
    MONTH = "month"
    WEEK = "week"


class Figure(BaseModel):
    """Numerator, denominator and rate of one indicator cell."""

    model_config = ConfigDict(frozen=True)

    numerator: int = Field(ge=0)
    denominator: int = Field(ge=0)
    rate: Decimal | None = Field(description="numerator / denominator; None (n/a) when it is 0")

    @classmethod
    def of(cls, numerator: int, denominator: int) -> Figure:
        """The figure with its rate rounded half-up to four places (0.4500 is 45.00%)."""
        if denominator == 0:
            return cls(numerator=numerator, denominator=0, rate=None)
        rate = (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_UP)
        return cls(numerator=numerator, denominator=denominator, rate=rate)

    def meets(self, target: Decimal) -> bool:
        """Exact comparison on the counts, not on the rounded rate; n/a never meets a target."""
        if self.denominator == 0:
            return False
        return Fraction(self.numerator, self.denominator) >= Fraction(target)


# --- metrics -------------------------------------------------------------------------------


class PortalRecordAccepted(Event):
    """A portal record passed validation and now stands as its dossier's latest state."""

    event_type: Literal["PortalRecordAccepted"] = "PortalRecordAccepted"
    schema_version: Literal[1] = 1
    dossier_code: NfcStr = Field(description="MaHoSo")
    unit_code: NfcStr = Field(description="DonViXuLy")
    procedure_code: NfcStr = Field(description="MaTTHC")
    received: bool = Field(description="NgayTiepNhan set and status neither 1 nor 3")
    source: str = Field(description="Where the record was read: topic/partition/offset")
    known_to_catalogue: bool = Field(description="Unit and procedure are in the catalogue")


class PortalRecordDeadLettered(Event):
    """A portal record that could not be accepted, kept with its original bytes and the reason."""

    event_type: Literal["PortalRecordDeadLettered"] = "PortalRecordDeadLettered"
    schema_version: Literal[1] = 1
    reason: str = Field(description="Reason code", examples=["missing_field", "bad_time"])
    detail: str = Field(description="What is wrong, for the portal's operator")
    source: str = Field(description="Where the record was read: topic/partition/offset or grpc")
    key: str | None = Field(default=None, description="Message key as sent (MaHoSo)")
    original: bytes = Field(description="The record exactly as received (base64 in JSON)")

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")


class IndicatorUpdated(Event):
    """An indicator cell changed; with its previous value and definitions."""

    event_type: Literal["IndicatorUpdated"] = "IndicatorUpdated"
    schema_version: Literal[1] = 1
    campaign_id: str
    campaign_version: str = Field(description="Version of the campaign file used")
    catalogue_version: str = Field(description="Version of the procedure catalogue used")
    indicator: IndicatorCode
    indicator_name: NfcStr = Field(
        default="", description="The indicator's name for people, from the campaign file",
        examples=["Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG"],
    )
    counted_unit: NfcStr = Field(
        default="", description="What numerator and denominator count, for people",
        examples=["hồ sơ", "dịch vụ"],
    )
    subject_kind: SubjectKind
    subject_code: NfcStr = Field(
        description="Unit code, officer key (see officer_key), or the department code"
    )
    period_kind: PeriodKind
    period_key: str = Field(examples=["2024-06-01..2024-12-31", "2024-07", "2024-W27"])
    figure: Figure
    previous: Figure | None = Field(description="The cell before this change; None if new")
    target: Decimal = Field(description="Target rate, e.g. 0.45")
    target_met: bool
    as_of: AwareDatetime = Field(description="Time of the latest record behind the figure")


class CatalogueEntry(BaseModel):
    """One row of the procedure catalogue (danh mục TTHC): a procedure as one unit handles it."""

    model_config = ConfigDict(frozen=True)

    procedure_code: NfcStr = Field(description="MaTTHC")
    procedure_name: NfcStr = Field(description="TenTTHC")
    unit_code: NfcStr = Field(description="DonVi: code of the unit that handles it")
    online_level: Literal["toan_trinh", "mot_phan", "khong"] = Field(
        description="MucDoDVC: online public service in full (toàn trình), in part (một phần), "
        "or not online (không)"
    )
    has_fees: bool = Field(description="CoPhiLePhi: the procedure carries fees or charges")


class CatalogueLoaded(Event):
    """A version of the procedure catalogue was loaded; it replaces the previous one whole and
    the indicators are recomputed with it. The version is a hash of the entries, so loading the
    same catalogue again changes nothing."""

    event_type: Literal["CatalogueLoaded"] = "CatalogueLoaded"
    schema_version: Literal[1] = 1
    version: str = Field(description="Hash of the entries", examples=["3f9a0c1d2e4b"])
    source: str = Field(description="Where it came from: a file name, or grpc", examples=[
        "catalogue-lang-son-2024.csv"])
    entries: list[CatalogueEntry] = Field(description="Every row, one per procedure and unit")


# --- awards --------------------------------------------------------------------------------


class IndicatorStanding(BaseModel):
    model_config = ConfigDict(frozen=True)

    indicator: IndicatorCode
    indicator_name: NfcStr = ""
    counted_unit: NfcStr = Field(default="", examples=["hồ sơ", "dịch vụ"])
    figure: Figure
    target: Decimal
    target_met: bool
    points: Decimal


class StandingUpdated(Event):
    """A nominee's standing over a period changed (points, rank or an indicator).

    Version 2 adds officers, the period kind and the previous rank and points; a version 1
    event (units, campaign period) reads as version 2 with those defaults."""

    event_type: Literal["StandingUpdated"] = "StandingUpdated"
    schema_version: Literal[1, 2] = 2
    campaign_id: str
    subject_kind: Literal["unit", "officer"] = "unit"
    subject_code: NfcStr = Field(default="", description="Unit code or officer key; "
                                 "empty in version 1 (then it is unit_code)")
    subject_name: NfcStr = Field(default="", description="Unit name or officer name")
    period_kind: PeriodKind = PeriodKind.CAMPAIGN
    period_key: str
    unit_code: NfcStr = Field(description="The unit, or the officer's unit")
    unit_name: NfcStr
    rank: int = Field(ge=1)
    previous_rank: int | None = Field(default=None, ge=1)
    total_points: Decimal
    previous_points: Decimal | None = None
    indicators: list[IndicatorStanding]
    targets_met: list[IndicatorCode]
    previous_targets_met: list[IndicatorCode]
    as_of: AwareDatetime | None = Field(
        default=None, description="Time of the latest figure behind the standing"
    )

    @model_validator(mode="after")
    def _upcast_v1(self) -> StandingUpdated:
        if not self.subject_code:
            object.__setattr__(self, "subject_code", self.unit_code)
        if not self.subject_name:
            object.__setattr__(self, "subject_name", self.unit_name)
        return self


class ConditionResult(BaseModel):
    """How one award condition judged a nominee, in words a Council member reads."""

    model_config = ConfigDict(frozen=True)

    condition: str = Field(examples=["all_targets_met", "indicator_at_target", "top_n"])
    met: bool
    detail: NfcStr = Field(examples=["K3 đạt 47,20% (≥ 45,00%), 118 hồ sơ có phí (≥ 30)"])


class CandidateEvidence(BaseModel):
    """What a candidate was judged on, frozen at the evaluation."""

    model_config = ConfigDict(frozen=True)

    period_key: str
    rank: int | None = Field(default=None, ge=1)
    total_points: Decimal | None = None
    figures: list[IndicatorStanding]
    conditions: list[ConditionResult]
    campaign_version: str
    catalogue_version: str = ""
    evaluated_at: AwareDatetime
    source_event_ids: list[uuid.UUID] = Field(
        default_factory=list, description="The IndicatorUpdated events that carried the figures"
    )


class CandidateEventBase(Event):
    campaign_id: str
    candidate_id: str = Field(description="award_type:nominee_kind:nominee_code, stable",
                              examples=["giay_khen_giam_doc_so:collective:QLVT"])
    award_type: str
    award_name: NfcStr
    nominee_kind: Literal["collective", "individual"]
    nominee_code: NfcStr = Field(description="Unit code, or officer key (see officer_key)")
    nominee_name: NfcStr
    unit_code: NfcStr = Field(description="The unit, or the officer's unit")
    evidence: CandidateEvidence


class CandidateProposed(CandidateEventBase):
    """The system proposes a nominee for an award (only the Council decides); re-proposed with
    new evidence when the figures change while it still qualifies."""

    event_type: Literal["CandidateProposed"] = "CandidateProposed"
    schema_version: Literal[1] = 1


class CandidateWithdrawn(CandidateEventBase):
    """A proposed nominee no longer qualifies (before the deadline, never after a decision)."""

    event_type: Literal["CandidateWithdrawn"] = "CandidateWithdrawn"
    schema_version: Literal[1] = 1
    reason: NfcStr


CandidateEvent = Annotated[
    CandidateProposed | CandidateWithdrawn, Field(discriminator="event_type")
]
candidate_event_adapter: TypeAdapter[CandidateEvent] = TypeAdapter(CandidateEvent)


class AwardDecided(Event):
    """The Council decided an award (only the Council decides; the system proposes).

    Version 2 adds the decision id, names for people, the signer and the evidence; the dossier
    is None only when the Council recorded an override reason instead of an accepted dossier."""

    event_type: Literal["AwardDecided"] = "AwardDecided"
    schema_version: Literal[1, 2] = 2
    campaign_id: str
    decision_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    dossier_id: uuid.UUID | None
    award_type: str
    award_name: NfcStr = ""
    nominee_kind: Literal["collective", "individual"]
    nominee_code: NfcStr = Field(description="Unit code, or officer key (see officer_key)")
    nominee_name: NfcStr = ""
    unit_code: NfcStr = ""
    decision_number: NfcStr = Field(examples=["125/QĐ-SGTVT"])
    decision_date: date
    signer: NfcStr = Field(default="", examples=["Giám đốc Sở Nguyễn Văn A"])
    note: NfcStr | None = None
    override_reason: NfcStr | None = None
    decided_by: str = Field(default="", examples=["council:Trần Văn B"])
    evidence: CandidateEvidence | None = None


class DecisionRevoked(Event):
    """The Council revoked a decision it recorded; the decision stays in the log."""

    event_type: Literal["DecisionRevoked"] = "DecisionRevoked"
    schema_version: Literal[1] = 1
    campaign_id: str
    decision_id: uuid.UUID
    dossier_id: uuid.UUID | None
    award_type: str
    nominee_kind: Literal["collective", "individual"]
    nominee_code: NfcStr
    nominee_name: NfcStr = ""
    unit_code: NfcStr
    decision_number: NfcStr
    reason: NfcStr = Field(min_length=1)
    revoked_by: str


DecisionEvent = Annotated[AwardDecided | DecisionRevoked, Field(discriminator="event_type")]
decision_event_adapter: TypeAdapter[DecisionEvent] = TypeAdapter(DecisionEvent)


def officer_key(unit_code: str, name: str) -> str:
    """How events and APIs name an officer: unit and name together ("QLVT/Nguyễn Thị Hương"),
    since two units may each have an officer of the same name."""
    return f"{unit_code}/{name}"


def split_officer_key(key: str) -> tuple[str, str]:
    """(unit code, officer name) of an officer key."""
    unit_code, sep, name = key.partition("/")
    if not sep or not unit_code or not name:
        raise ValueError(f"not an officer key (unit/name): {key!r}")
    return unit_code, name


# --- nomination dossiers -------------------------------------------------------------------
# A nomination dossier (hồ sơ đề nghị khen thưởng) is event-sourced: these events, in `sequence`
# order, are its whole history; the dossiers topic is keyed by dossier id so they stay in order.

NomineeKind = Literal["collective", "individual"]

DOCUMENT_CONTENT_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "image/png",
    "image/jpeg",
)


class DossierEventBase(Event):
    """What every dossier event carries: the dossier, the event's place in its history, and who
    is nominated for what by whom (so that a consumer, say the notifier, needs no state to tell
    the unit about its dossier)."""

    dossier_id: uuid.UUID
    sequence: int = Field(
        ge=1, description="Position in the dossier's history; the dossier's version after it"
    )
    unit_code: NfcStr = Field(description="The nominating unit")
    award_type: str = Field(examples=["giay_khen_giam_doc_so", "bang_khen_chu_tich_ubnd"])
    nominee_kind: NomineeKind
    nominee_code: NfcStr = Field(description="Unit code (collective) or officer name")


class DossierOpened(DossierEventBase):
    """A unit opened a nomination dossier for a nominee (itself or one of its officers)."""

    event_type: Literal["DossierOpened"] = "DossierOpened"
    schema_version: Literal[1] = 1
    campaign_id: str
    campaign_version: str = Field(description="Version of the campaign file whose rules apply")
    opened_by: str = Field(description="Who opened it", examples=["unit:QLVT"])


class DocumentAttached(DossierEventBase):
    """A document was put in a slot (set number, document kind) of the dossier. A later document
    in the same slot replaces it; the content is in the blob store under its SHA-256."""

    event_type: Literal["DocumentAttached"] = "DocumentAttached"
    schema_version: Literal[1] = 1
    set_number: int = Field(ge=1)
    document_kind: str = Field(examples=["to_trinh", "bien_ban_hop_xet", "bao_cao_thanh_tich"])
    filename: NfcStr
    content_type: str = Field(description="Detected from the content, not from the name",
                              examples=list(DOCUMENT_CONTENT_TYPES))
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size_bytes: int = Field(ge=1)
    uploaded_by: str
    replaces_sha256: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{64}$", description="The document it replaced, if any"
    )


class DossierSubmitted(DossierEventBase):
    """The unit submitted a complete dossier to the Office before the deadline."""

    event_type: Literal["DossierSubmitted"] = "DossierSubmitted"
    schema_version: Literal[1] = 1
    submitted_by: str
    deadline: AwareDatetime = Field(description="The deadline it met (first instant after it)")


class DossierAccepted(DossierEventBase):
    """The Office reviewed the dossier and accepted it."""

    event_type: Literal["DossierAccepted"] = "DossierAccepted"
    schema_version: Literal[1] = 1
    reviewed_by: str
    note: NfcStr | None = None


class ReviewFinding(BaseModel):
    """One thing missing or wrong in a returned dossier."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document_kind: str | None = Field(default=None, description="None: the dossier as a whole")
    set_number: int | None = Field(default=None, ge=1)
    note: NfcStr = Field(min_length=1, examples=["Thiếu chữ ký của Thủ trưởng đơn vị"])


class DossierReturned(DossierEventBase):
    """The Office returned the dossier to its unit with what is missing or wrong."""

    event_type: Literal["DossierReturned"] = "DossierReturned"
    schema_version: Literal[1] = 1
    reviewed_by: str
    findings: list[ReviewFinding] = Field(min_length=1)


class DossierForwarded(DossierEventBase):
    """The Office forwarded an accepted dossier to the Emulation and Reward Council."""

    event_type: Literal["DossierForwarded"] = "DossierForwarded"
    schema_version: Literal[1] = 1
    forwarded_by: str


DossierEvent = Annotated[
    DossierOpened
    | DocumentAttached
    | DossierSubmitted
    | DossierAccepted
    | DossierReturned
    | DossierForwarded,
    Field(discriminator="event_type"),
]
dossier_event_adapter: TypeAdapter[DossierEvent] = TypeAdapter(DossierEvent)


class DossierEventMessage(RootModel[DossierEvent]):
    """Any nomination dossier event, as the dossiers topic carries it (one schema per topic)."""


# --- notifier ------------------------------------------------------------------------------


class NotificationSent(Event):
    event_type: Literal["NotificationSent"] = "NotificationSent"
    schema_version: Literal[1] = 1
    delivery_id: uuid.UUID
    rule: str = Field(examples=["target_reached"])
    unit_code: NfcStr
    channel: Literal["email", "webhook"]
    recipient: str
    subject: NfcStr
    attempts: int = Field(ge=1)


class NotificationFailed(Event):
    event_type: Literal["NotificationFailed"] = "NotificationFailed"
    schema_version: Literal[1] = 1
    delivery_id: uuid.UUID
    rule: str
    unit_code: NfcStr
    channel: Literal["email", "webhook"]
    recipient: str
    subject: NfcStr
    attempts: int = Field(ge=1)
    error: str


NotificationEvent = Annotated[
    NotificationSent | NotificationFailed, Field(discriminator="event_type")
]
notification_event_adapter: TypeAdapter[NotificationEvent] = TypeAdapter(NotificationEvent)

__all__ = [
    "AwardDecided",
    "CandidateEvent",
    "CandidateEventBase",
    "CandidateEvidence",
    "CandidateProposed",
    "CandidateWithdrawn",
    "CatalogueEntry",
    "CatalogueLoaded",
    "ConditionResult",
    "DecisionEvent",
    "DecisionRevoked",
    "DocumentAttached",
    "DossierAccepted",
    "DossierEvent",
    "DossierEventBase",
    "DossierEventMessage",
    "DossierForwarded",
    "DossierOpened",
    "DossierReturned",
    "DossierSubmitted",
    "Figure",
    "IndicatorCode",
    "IndicatorStanding",
    "IndicatorUpdated",
    "NotificationFailed",
    "NotificationSent",
    "PeriodKind",
    "PortalRecordAccepted",
    "PortalRecordDeadLettered",
    "ReviewFinding",
    "StandingUpdated",
    "SubjectKind",
    "candidate_event_adapter",
    "decision_event_adapter",
    "officer_key",
    "split_officer_key",
]
