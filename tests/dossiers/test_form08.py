"""The Form 08 achievement report is drafted as a DOCX that Word opens, in Vietnamese, with
the nominee's measured figures against the targets and the versions that produced them."""

from __future__ import annotations

import io
import unicodedata
from datetime import UTC, datetime

import docx
from docx.document import Document

from campaign_contracts.events import IndicatorCode
from campaign_dossiers.domain.nominees import check_nomination
from campaign_dossiers.figures import NomineeFigure
from campaign_dossiers.form08 import Nominee, draft_form08, report_filename
from tests.dossiers.builders import BANG_KHEN, CAMPAIGN, GIAY_KHEN, OFFICER, k_update

DRAFTED = datetime(2024, 12, 20, 2, 15, tzinfo=UTC)


def measured(*updates: tuple[IndicatorCode, int, int, str]) -> list[NomineeFigure]:
    figures = []
    for code, numerator, denominator, target in updates:
        event = k_update(code, numerator, denominator, target=target)
        figures.append(NomineeFigure(
            indicator=event.indicator, figure=event.figure, target=event.target,
            target_met=event.target_met, campaign_version=event.campaign_version,
            catalogue_version=event.catalogue_version, as_of=event.as_of,
        ))
    return figures


def nominee(award: str, kind: str, code: str, unit_code: str = "QLVT") -> Nominee:
    nomination = check_nomination(CAMPAIGN, unit_code, award, kind, code)  # type: ignore[arg-type]
    unit = CAMPAIGN.unit(unit_code)
    assert unit is not None
    return Nominee(nomination, unit, CAMPAIGN.officer(code, unit_code))


def opened(data: bytes) -> Document:
    return docx.Document(io.BytesIO(data))


def table_text(document: Document, index: int) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[index].rows]


def all_text(document: Document) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_a_collective_report_carries_its_figures_against_the_targets() -> None:
    award = CAMPAIGN.award(GIAY_KHEN)
    assert award is not None
    figures = measured(("K1", 9, 10, "0.90"), ("K2", 17, 20, "0.90"),
                       ("K3", 9, 20, "0.45"))
    document = opened(draft_form08(CAMPAIGN, award, nominee(GIAY_KHEN, "collective", "QLVT"),
                                   figures, DRAFTED))
    heading = table_text(document, 0)[0]
    assert heading[0].splitlines() == [
        "SỞ GIAO THÔNG VẬN TẢI TỈNH LẠNG SƠN",
        "PHÒNG QUẢN LÝ VẬN TẢI, PHƯƠNG TIỆN VÀ NGƯỜI LÁI"]
    assert heading[1].splitlines()[:2] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO THÀNH TÍCH" in paragraphs
    assert "ĐỀ NGHỊ TẶNG GIẤY KHEN CỦA GIÁM ĐỐC SỞ" in paragraphs
    assert ("Tập thể đề nghị khen thưởng: Phòng Quản lý vận tải, phương tiện và người lái"
            in paragraphs)
    assert table_text(document, 1) == [
        ["STT", "Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ đạt", "Chỉ tiêu giao", "Kết quả"],
        ["1", "K1. Tỷ lệ DVC phát sinh hồ sơ trực tuyến", "9", "10", "90,00%", "≥ 90,00%",
         "Đạt"],
        ["2", "K2. Tỷ lệ hồ sơ xử lý trực tuyến", "17", "20", "85,00%", "≥ 90,00%",
         "Chưa đạt"],
        ["3", "K3. Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG", "9", "20", "45,00%",
         "≥ 45,00%", "Đạt"],
    ]
    text = all_text(document)
    assert "tính đến 10:00 ngày 30/11/2024" in text  # as_of 03:00 UTC, in Hà Nội time
    assert ("đợt thi đua lang-son-sgtvt-ttt-2024 phiên bản 2024.1; danh mục thủ tục hành "
            "chính phiên bản c0ffee123456; bản dự thảo lập lúc 09:15 ngày 20/12/2024") in text
    assert "[Đơn vị điền: " in text  # blanks left for the unit
    assert unicodedata.is_normalized("NFC", text)
    assert document.core_properties.language == "vi-VN"


def test_an_individual_report_says_which_figures_are_missing_or_not_applicable() -> None:
    award = CAMPAIGN.award(BANG_KHEN)
    assert award is not None
    figures = measured(("K2", 0, 0, "0.90"), ("K3", 31, 60, "0.45"))
    who = nominee(BANG_KHEN, "individual", OFFICER)
    document = opened(draft_form08(CAMPAIGN, award, who, figures, DRAFTED))
    rows = table_text(document, 1)
    assert rows[1][2:] == ["–", "–", "–", "≥ 90,00%", "Chưa có số liệu"]
    assert rows[2][2:] == ["0", "0", "không xác định (mẫu số bằng 0)", "≥ 90,00%", "Chưa đạt"]
    assert rows[3][2:] == ["31", "60", "51,67%", "≥ 45,00%", "Đạt"]
    paragraphs = [p.text for p in document.paragraphs]
    assert "ĐỀ NGHỊ TẶNG BẰNG KHEN CỦA CHỦ TỊCH UBND TỈNH" in paragraphs
    assert (f"Cá nhân đề nghị khen thưởng: {OFFICER}, Chuyên viên Bộ phận Một cửa, "
            "Phòng Quản lý vận tải, phương tiện và người lái") in paragraphs
    assert f"- Họ và tên: {OFFICER}" in paragraphs
    signatures = table_text(document, 2)[0]
    assert signatures[1].splitlines()[0] == "NGƯỜI BÁO CÁO THÀNH TÍCH"
    assert OFFICER in signatures[1]
    assert report_filename(award, who) == (
        "Mau08_BaoCaoThanhTich_bang_khen_chu_tich_ubnd_Nguyen_Thi_Huong.docx")


def test_a_report_with_no_figures_yet_still_drafts_and_says_so() -> None:
    award = CAMPAIGN.award(GIAY_KHEN)
    assert award is not None
    data = draft_form08(CAMPAIGN, award, nominee(GIAY_KHEN, "collective", "KCHT", "KCHT"), [],
                        DRAFTED)
    document = opened(data)
    assert [row[-1] for row in table_text(document, 1)[1:]] == ["Chưa có số liệu"] * 3
    assert "chưa có hồ sơ nào được ghi nhận" in all_text(document)
