"""Test material for the dossiers service: real files of each accepted type (and disguised
ones), callers with tokens, moments around the deadline, and indicator events."""

from __future__ import annotations

import io
import struct
import uuid
import zipfile
import zlib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import docx

from campaign_contracts.campaign_file import Campaign, load_campaign
from campaign_contracts.events import (
    AwardDecided,
    CandidateEvidence,
    CandidateProposed,
    CandidateWithdrawn,
    ConditionResult,
    DecisionRevoked,
    Figure,
    IndicatorCode,
    IndicatorStanding,
    IndicatorUpdated,
    NomineeKind,
    PeriodKind,
    SubjectKind,
    officer_key,
)
from campaign_dossiers.domain.access import Principal, Role

CAMPAIGN: Campaign = load_campaign()
GIAY_KHEN = "giay_khen_giam_doc_so"      # 1 set: biên bản họp xét + báo cáo thành tích
BANG_KHEN = "bang_khen_chu_tich_ubnd"    # 2 sets: tờ trình + biên bản HĐ + báo cáo thành tích
OFFICER = "Nguyễn Thị Hương"             # an officer of QLVT in the seed campaign

BEFORE_DEADLINE = datetime(2024, 12, 31, 16, 59, 59, tzinfo=UTC)  # 23:59:59 in Hà Nội
AT_DEADLINE = datetime(2024, 12, 31, 17, 0, 0, tzinfo=UTC)        # 00:00 on 1 Jan 2025 there

QLVT = Principal(Role.UNIT, "QLVT")
KCHT = Principal(Role.UNIT, "KCHT")
OFFICE = Principal(Role.OFFICE, "VP")
COUNCIL = Principal(Role.COUNCIL)

TOKENS = {
    "qlvt": "unit-qlvt-0123456789abcdef",
    "kcht": "unit-kcht-0123456789abcdef",
    "office": "office-vp-0123456789abcdef",
    "council": "council-0123456789abcdef",
}
ACCESS_TOKENS = ",".join([
    f"{TOKENS['qlvt']}:unit:QLVT", f"{TOKENS['kcht']}:unit:KCHT",
    f"{TOKENS['office']}:office:VP", f"{TOKENS['council']}:council",
])


def pdf(text: str = "Biên bản họp xét") -> bytes:
    """A small but well-formed one-page PDF."""
    body = f"BT /F1 12 Tf 72 720 Td ({text.encode('ascii', 'replace').decode()}) Tj ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(body)} >>\nstream\n{body}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{obj}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def word(text: str = "Báo cáo thành tích") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def png() -> bytes:
    """A 1×1 white PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def jpeg() -> bytes:
    """The start of a JFIF file (content checks read the signature, not the pixels)."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "không phải tài liệu Word")
    return buffer.getvalue()


def k_update(
    indicator: IndicatorCode, numerator: int, denominator: int, *, code: str = "QLVT",
    kind: SubjectKind = SubjectKind.UNIT, target: str = "0.45",
    as_of: datetime = datetime(2024, 11, 30, 3, 0, tzinfo=UTC),
) -> IndicatorUpdated:
    figure = Figure.of(numerator, denominator)
    return IndicatorUpdated(
        producer="metrics", campaign_id=CAMPAIGN.campaign_id, campaign_version="2024.1",
        catalogue_version="c0ffee123456", indicator=indicator, subject_kind=kind,
        subject_code=code, period_kind=PeriodKind.CAMPAIGN, period_key=CAMPAIGN.period.key,
        figure=figure, previous=None, target=Decimal(target),
        target_met=figure.meets(Decimal(target)), as_of=as_of,
    )


def day_before_deadline() -> datetime:
    return BEFORE_DEADLINE - timedelta(days=1)


# --- the awards service's facts: candidates with frozen evidence, the Council's decisions ---

EVALUATED = datetime(2024, 12, 31, 9, 30, tzinfo=UTC)  # 16:30 on the campaign's last day
DECISION_NUMBER = "125/QĐ-SGTVT"


def standing(indicator: IndicatorCode, numerator: int, denominator: int, target: str,
             counted_unit: str = "hồ sơ") -> IndicatorStanding:
    figure = Figure.of(numerator, denominator)
    return IndicatorStanding(
        indicator=indicator, indicator_name=CAMPAIGN.indicator(indicator).name,
        counted_unit=counted_unit, figure=figure, target=Decimal(target),
        target_met=figure.meets(Decimal(target)), points=Decimal(25),
    )


def unit_evidence(k2: tuple[int, int] = (1020, 1091)) -> CandidateEvidence:
    """A unit meeting the three targets (or not, with another K2), over 1.000 dossiers."""
    figures = [standing("K1", 19, 20, "0.90", "dịch vụ"), standing("K2", *k2, "0.90"),
               standing("K3", 515, 1091, "0.45")]
    met = all(f.target_met for f in figures)
    rate = figures[1].figure.rate
    assert rate is not None
    shown = f"{rate * 100:.2f}".replace(".", ",")
    detail = "K1, K2, K3 đều đạt mục tiêu" if met else f"K2 đạt {shown}% (< 90,00%)"
    return CandidateEvidence(
        period_key=CAMPAIGN.period.key, rank=1, total_points=Decimal(100), figures=figures,
        conditions=[ConditionResult(condition="all_targets_met", met=met, detail=detail)],
        campaign_version="2024.1", catalogue_version="c0ffee123456", evaluated_at=EVALUATED,
    )


def officer_evidence() -> CandidateEvidence:
    return CandidateEvidence(
        period_key=CAMPAIGN.period.key, figures=[standing("K3", 59, 125, "0.45")],
        conditions=[ConditionResult(condition="indicator_at_target", met=True,
                                    detail="K3 đạt 47,20% (≥ 45,00%), 125 hồ sơ có phí (≥ 30)")],
        campaign_version="2024.1", catalogue_version="c0ffee123456", evaluated_at=EVALUATED,
    )


def proposed(award: str, kind: NomineeKind, unit_code: str, name: str,
             evidence: CandidateEvidence, officer: str | None = None) -> CandidateProposed:
    code = unit_code if officer is None else officer_key(unit_code, officer)
    award_type = CAMPAIGN.award(award)
    assert award_type is not None
    return CandidateProposed(
        producer="awards", campaign_id=CAMPAIGN.campaign_id,
        candidate_id=f"{award}:{kind}:{code}", award_type=award, award_name=award_type.name,
        nominee_kind=kind, nominee_code=code, nominee_name=name, unit_code=unit_code,
        evidence=evidence,
    )


def withdrawn(candidate: CandidateProposed, evidence: CandidateEvidence,
              reason: str) -> CandidateWithdrawn:
    data = candidate.model_dump(exclude={"event_type", "event_id", "evidence"})
    return CandidateWithdrawn(**data, evidence=evidence, reason=reason)


def decided(kind: NomineeKind, unit_code: str, name: str, evidence: CandidateEvidence,
            officer: str | None = None, dossier_id: uuid.UUID | None = None,
            number: str = DECISION_NUMBER, award: str = GIAY_KHEN,
            signer: str = "Giám đốc Sở Dương Công Vĩ", day: date = date(2025, 1, 15),
            ) -> AwardDecided:
    code = unit_code if officer is None else officer_key(unit_code, officer)
    award_type = CAMPAIGN.award(award)
    assert award_type is not None
    return AwardDecided(
        producer="awards", campaign_id=CAMPAIGN.campaign_id, dossier_id=dossier_id,
        award_type=award, award_name=award_type.name, nominee_kind=kind,
        nominee_code=code, nominee_name=name, unit_code=unit_code, decision_number=number,
        decision_date=day, signer=signer,
        override_reason=None if dossier_id else "Hồ sơ nộp bản giấy", evidence=evidence,
    )


def revoked(decision: AwardDecided, reason: str) -> DecisionRevoked:
    return DecisionRevoked(
        producer="awards", campaign_id=decision.campaign_id, decision_id=decision.decision_id,
        dossier_id=decision.dossier_id, award_type=decision.award_type,
        nominee_kind=decision.nominee_kind, nominee_code=decision.nominee_code,
        nominee_name=decision.nominee_name, unit_code=decision.unit_code,
        decision_number=decision.decision_number, reason=reason, revoked_by="council",
    )
