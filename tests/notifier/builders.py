"""Input events as the other services publish them, for the notifier's tests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import yaml

from campaign_contracts.campaign_file import Campaign, seed_path
from campaign_contracts.events import (
    AwardDecided,
    CandidateEvidence,
    CandidateProposed,
    DocumentAttached,
    DossierAccepted,
    DossierReturned,
    DossierSubmitted,
    Figure,
    IndicatorUpdated,
    PeriodKind,
    PortalRecordAccepted,
    ReviewFinding,
    StandingUpdated,
    SubjectKind,
)

NAMES = {"K1": ("Tỷ lệ DVC phát sinh hồ sơ trực tuyến", "dịch vụ"),
         "K2": ("Tỷ lệ hồ sơ xử lý trực tuyến", "hồ sơ"),
         "K3": ("Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG", "hồ sơ")}
TARGETS = {"K1": Decimal("0.90"), "K2": Decimal("0.90"), "K3": Decimal("0.45")}


def campaign(only: tuple[str, ...] = (), **notifications: Any) -> Campaign:
    """The seed campaign with a webhook for KCHT, an English reader at TTRA and the given
    notification settings; `only` keeps just the rules named."""
    with seed_path("campaign-lang-son-2024.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    for unit in data["units"]:
        if unit["code"] == "KCHT":
            unit["webhook_url"] = notifications.pop("webhook_url", None)
        if unit["code"] == "TTRA":
            unit["contacts"][0]["language"] = "en"
    data["notifications"].update(notifications)
    if only:
        data["notifications"]["rules"] = [
            r for r in data["notifications"]["rules"] if r["rule"] in only]
    return Campaign.model_validate(data)


def indicator(unit: str, code: str, numerator: int, denominator: int,
              as_of: str = "2024-07-02T08:30:00+07:00") -> IndicatorUpdated:
    figure = Figure.of(numerator, denominator)
    name, counted = NAMES[code]
    return IndicatorUpdated(
        producer="metrics", campaign_id="lang-son-sgtvt-ttt-2024", campaign_version="2024.1",
        catalogue_version="abc", indicator=code, indicator_name=name, counted_unit=counted,
        subject_kind=SubjectKind.UNIT, subject_code=unit, period_kind=PeriodKind.CAMPAIGN,
        period_key="2024-06-01..2024-12-31", figure=figure, previous=None,
        target=TARGETS[code], target_met=figure.meets(TARGETS[code]),
        as_of=datetime.fromisoformat(as_of),
    )


def standing(unit: str, unit_name: str, rank: int, points: str) -> StandingUpdated:
    return StandingUpdated(
        producer="awards", campaign_id="lang-son-sgtvt-ttt-2024",
        period_key="2024-06-01..2024-12-31", unit_code=unit, unit_name=unit_name, rank=rank,
        total_points=Decimal(points), indicators=[], targets_met=[], previous_targets_met=[],
    )


def candidate(unit: str, nominee_kind: str = "collective", nominee_code: str | None = None,
              nominee_name: str = "") -> CandidateProposed:
    code = nominee_code or unit
    return CandidateProposed(
        producer="awards", campaign_id="lang-son-sgtvt-ttt-2024",
        candidate_id=f"giay_khen_giam_doc_so:{nominee_kind}:{code}",
        award_type="giay_khen_giam_doc_so", award_name="Giấy khen của Giám đốc Sở",
        nominee_kind=nominee_kind, nominee_code=code, nominee_name=nominee_name or code,  # type: ignore[arg-type]
        unit_code=unit, evidence=CandidateEvidence(
            period_key="2024-06-01..2024-12-31", figures=[], conditions=[],
            campaign_version="2024.1", evaluated_at=datetime.fromisoformat(
                "2024-12-01T08:00:00+07:00")),
    )


def dossier_fields(dossier_id: uuid.UUID, unit: str, sequence: int) -> dict[str, Any]:
    return dict(producer="dossiers", dossier_id=dossier_id, sequence=sequence, unit_code=unit,
                award_type="giay_khen_giam_doc_so", nominee_kind="collective", nominee_code=unit)


def attached(dossier_id: uuid.UUID, unit: str, sequence: int, kind: str) -> DocumentAttached:
    return DocumentAttached(**dossier_fields(dossier_id, unit, sequence), set_number=1,
                            document_kind=kind, filename=f"{kind}.pdf",
                            content_type="application/pdf", sha256="0" * 64, size_bytes=10,
                            uploaded_by="unit:QLVT")


def submitted(dossier_id: uuid.UUID, unit: str, sequence: int) -> DossierSubmitted:
    return DossierSubmitted(**dossier_fields(dossier_id, unit, sequence),
                            submitted_by=f"unit:{unit}",
                            deadline=datetime.fromisoformat("2025-01-01T00:00:00+07:00"))


def returned(dossier_id: uuid.UUID, unit: str, sequence: int) -> DossierReturned:
    return DossierReturned(**dossier_fields(dossier_id, unit, sequence), reviewed_by="office",
                           findings=[ReviewFinding(document_kind="bao_cao_thanh_tich",
                                                   set_number=1,
                                                   note="Thiếu chữ ký của Thủ trưởng đơn vị")])


def accepted(dossier_id: uuid.UUID, unit: str, sequence: int) -> DossierAccepted:
    return DossierAccepted(**dossier_fields(dossier_id, unit, sequence), reviewed_by="office")


def decided(unit: str, number: str = "125/QĐ-SGTVT") -> AwardDecided:
    return AwardDecided(
        producer="awards", campaign_id="lang-son-sgtvt-ttt-2024", dossier_id=uuid.uuid4(),
        award_type="giay_khen_giam_doc_so", award_name="Giấy khen của Giám đốc Sở",
        nominee_kind="collective", nominee_code=unit,
        nominee_name="Phòng Quản lý vận tải, phương tiện và người lái", unit_code=unit,
        decision_number=number, decision_date=date(2025, 1, 15),
        signer="Giám đốc Sở Nguyễn Văn A",
    )


def record(unit: str, at: datetime, source: str = "portal.dossier-records.v1/0/1"
           ) -> PortalRecordAccepted:
    return PortalRecordAccepted(producer="metrics", occurred_at=at, dossier_code=f"{unit}-1",
                                unit_code=unit, procedure_code="GTVT.01", received=True,
                                source=source, known_to_catalogue=True)
