"""Test material for the dossiers service: real files of each accepted type (and disguised
ones), callers with tokens, moments around the deadline, and indicator events."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import docx

from campaign_contracts.campaign_file import Campaign, load_campaign
from campaign_contracts.events import (
    Figure,
    IndicatorCode,
    IndicatorUpdated,
    PeriodKind,
    SubjectKind,
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
