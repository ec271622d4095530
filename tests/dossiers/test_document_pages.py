"""The documents of the seed campaign's demo — a qualifying unit's and a qualifying officer's
Form 08, a marked draft for a unit that does not qualify, the decision with two awards (a third
revoked), the two certificates — drafted through the gRPC API, converted to PDF by LibreOffice
and to page images and laid-out text by poppler, and checked for what a civil servant sees: the
heading lines unbroken with their rules, the place in the date line, the caption above the
heading, the table's columns where the grid puts them, room to sign, no abbreviations or
internal identifiers, the page count, and the figures. Pages are kept in
var/test-artifacts/documents."""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from campaign.dossiers.v1 import dossiers_pb2 as pb
from campaign_dossiers.awards_view import CandidatesProjection, DecisionsProjection
from campaign_dossiers.documents.form08 import COLUMN_WIDTHS_CM, HEADER
from tests.dossiers.api import start, stop
from tests.dossiers.builders import (
    BANG_KHEN,
    CAMPAIGN,
    DECISION_NUMBER,
    GIAY_KHEN,
    OFFICER,
    decided,
    officer_evidence,
    proposed,
    revoked,
    unit_evidence,
    withdrawn,
)
from tests.dossiers.harness import Harness
from tests.dossiers.pages import (
    ARTIFACTS,
    POINTS_PER_CM,
    Rendered,
    fonts,
    horizontal_rules,
    pdf_info,
    render_pdf,
    require_tools,
    to_pdf,
)
from tests.support.reports import report

RESOLUTION = 100
QLVT_NAME = "Phòng Quản lý vận tải, phương tiện và người lái"
KCHT_NAME = "Phòng Quản lý kết cấu hạ tầng giao thông"
ABBREVIATIONS = ("UBND", "DVCQG", "DVC", "TTHC", "CCHC", "TĐKT", "GTVT")

DECIDED_UNIT = decided("collective", "QLVT", QLVT_NAME, unit_evidence())
DECIDED_OFFICER = decided("individual", "QLVT", OFFICER, officer_evidence(), officer=OFFICER)
DECIDED_REVOKED = decided("collective", "KCHT", KCHT_NAME, unit_evidence())
PROVINCE_NUMBER = "456/QĐ-UBND"  # the Bằng khen: the province's chairman decides
DECIDED_BY_PROVINCE = decided("collective", "QLVT", QLVT_NAME, unit_evidence(),
                              number=PROVINCE_NUMBER, award=BANG_KHEN,
                              signer="Chủ tịch Hồ Tiến Thiệu", day=date(2025, 2, 3))


def internal_identifiers() -> list[str]:
    """What must never reach a page: slugs, codes, hashes and ids."""
    return [CAMPAIGN.campaign_id, "c0ffee123456", *(a.code for a in CAMPAIGN.awards),
            str(DECIDED_UNIT.decision_id), "collective", "individual", "QLVT/"]


@pytest.fixture(scope="module")
async def pages(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[dict[str, Rendered]]:
    require_tools()
    work = tmp_path_factory.mktemp("documents")
    harness = Harness(f"sqlite:///{work / 'service.db'}", work / "blobs")
    with harness.db.begin() as connection:
        candidates = CandidatesProjection(CAMPAIGN)
        candidates.apply(connection, proposed(GIAY_KHEN, "collective", "QLVT", QLVT_NAME,
                                              unit_evidence()))
        candidates.apply(connection, proposed(GIAY_KHEN, "individual", "QLVT", OFFICER,
                                              officer_evidence(), officer=OFFICER))
        kcht = proposed(GIAY_KHEN, "collective", "KCHT", KCHT_NAME, unit_evidence())
        candidates.apply(connection, kcht)
        candidates.apply(connection, withdrawn(kcht, unit_evidence(k2=(948, 1091)),
                                               "Không còn đạt đủ các chỉ tiêu"))
        decisions = DecisionsProjection(CAMPAIGN)
        for event in (DECIDED_UNIT, DECIDED_OFFICER, DECIDED_REVOKED,
                      revoked(DECIDED_REVOKED, "Ghi nhầm đơn vị"), DECIDED_BY_PROVINCE):
            decisions.apply(connection, event)
    api = await start(harness)
    try:
        form08 = pb.DraftAchievementReportRequest
        drafted = {
            "mau08-tap-the": (await api.call("DraftAchievementReport", form08(
                award_type=GIAY_KHEN, nominee_kind="collective"), "qlvt")).docx,
            "mau08-ca-nhan": (await api.call("DraftAchievementReport", form08(
                award_type=GIAY_KHEN, nominee_kind="individual", nominee_code=OFFICER),
                "qlvt")).docx,
            "mau08-chua-du-tieu-chuan": (await api.call("DraftAchievementReport", form08(
                award_type=GIAY_KHEN, nominee_kind="collective", nominee_code="KCHT",
                mark_not_qualified=True), "office")).docx,
            "quyet-dinh": (await api.call("DraftAwardDecision", pb.DraftAwardDecisionRequest(
                decision_number=DECISION_NUMBER), "office")).content,
            "quyet-dinh-bang-khen": (await api.call("DraftAwardDecision",
                                                    pb.DraftAwardDecisionRequest(
                decision_number=PROVINCE_NUMBER), "council")).content,
        }
        certificates = {
            "giay-khen-tap-the": DECIDED_UNIT, "giay-khen-ca-nhan": DECIDED_OFFICER,
            "bang-khen-tap-the": DECIDED_BY_PROVINCE,
        }
        printed = {name: (await api.call("DraftCertificate", pb.DraftCertificateRequest(
            decision_id=str(d.decision_id)), "qlvt")).content for name, d in certificates.items()}
    finally:
        await stop(api)
        harness.dispose()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    files = []
    for name, data in drafted.items():
        (ARTIFACTS / f"{name}.docx").write_bytes(data)
        files.append(ARTIFACTS / f"{name}.docx")
    started = time.monotonic()
    converted = to_pdf(files, ARTIFACTS)
    report(f"LibreOffice DOCX -> PDF ({len(files)} documents, one run)",
           f"{time.monotonic() - started:.1f} s")
    rendered = {f.stem: render_pdf(pdf, RESOLUTION) for f, pdf in
                zip(files, converted, strict=True)}
    for name, data in printed.items():
        (ARTIFACTS / f"{name}.pdf").write_bytes(data)
        rendered[name] = render_pdf(ARTIFACTS / f"{name}.pdf", RESOLUTION)
    yield rendered


def test_the_artifacts_are_kept_to_be_looked_at(pages: dict[str, Rendered]) -> None:
    for rendered in pages.values():
        assert rendered.images and all(p.parent == ARTIFACTS for p in rendered.images)


@pytest.mark.parametrize("name", ["mau08-tap-the", "mau08-ca-nhan", "mau08-chua-du-tieu-chuan"])
def test_the_form08_heading_reads_as_the_form(pages: dict[str, Rendered], name: str) -> None:
    page = pages[name]
    assert page.pages == 2
    # The caption stands above the heading, right-aligned, not under the title.
    lines = page.lines()
    assert lines[0] == "Mẫu số 08"
    # Neither the national name nor the department wraps: each sits whole on the first line.
    assert page.line_with("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") == (
        "SỞ GIAO THÔNG VẬN TẢI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert "Độc lập - Tự do - Hạnh phúc" in page.line_with("Độc lập")
    # The known place, the year of the campaign; day and month left for the signer.
    assert re.search(r"Lạng Sơn, ngày\s+tháng\s+năm 2024", page.text)
    assert lines.index("BÁO CÁO THÀNH TÍCH") > lines.index("Mẫu số 08")
    assert "ĐỀ NGHỊ TẶNG GIẤY KHEN" in lines
    assert "CỦA GIÁM ĐỐC SỞ GIAO THÔNG VẬN TẢI" in lines
    # Rules under the unit's name (a third to a half of it) and under the motto (its length).
    rules = horizontal_rules(page.images[0], 0.2, RESOLUTION)
    assert any(2.0 <= length <= 3.0 for length in rules), rules
    assert any(5.2 <= length <= 6.2 for length in rules), rules


@pytest.mark.parametrize("name", ["mau08-tap-the", "mau08-ca-nhan", "mau08-chua-du-tieu-chuan",
                                  "quyet-dinh", "quyet-dinh-bang-khen", "giay-khen-tap-the",
                                  "giay-khen-ca-nhan", "bang-khen-tap-the"])
def test_no_page_shows_an_abbreviation_or_an_internal_identifier(
    pages: dict[str, Rendered], name: str,
) -> None:
    text = pages[name].text
    # "Lưu: VT, VP." is the decree's own short form for the archive copies.
    read = "\n".join(line for line in text.splitlines() if "- Lưu:" not in line)
    words = set(re.findall(r"[\wĐđ/-]+", read))
    assert not [a for a in ABBREVIATIONS if a in words]
    assert not [u.code for u in CAMPAIGN.units if u.code in words]  # unit codes
    assert not [i for i in internal_identifiers() if i in text]
    assert not re.search(r"\b[0-9a-f]{12,}\b", text)  # no hash
    assert "thi đua thi đua" not in text.lower()
    assert "2026" not in text  # the replay's year: figures are dated inside the campaign


def test_the_figures_table_has_its_grid_and_columns_where_it_says(
    pages: dict[str, Rendered],
) -> None:
    document = docx.Document(str(ARTIFACTS / "mau08-tap-the.docx"))
    table = document.tables[1]
    grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid == [round(w / 2.54 * 1440) for w in COLUMN_WIDTHS_CM]
    page = pages["mau08-tap-the"]
    # Each header sits on one line, centred in its column as the grid places it.
    left = 3.0 * POINTS_PER_CM  # the table spans the text width from the left margin
    row = page.find("STT", page=1)[0].y_min
    for number, label in enumerate(HEADER):
        words = page.find(label, page=1, row=row)  # whole on the header's first line
        centre = (words[0].x_min + words[-1].x_max) / 2
        expected = left + (sum(COLUMN_WIDTHS_CM[:number]) + COLUMN_WIDTHS_CM[number] / 2) \
            * POINTS_PER_CM
        assert abs(centre - expected) < 0.3 * POINTS_PER_CM, (label, centre, expected)


def test_a_qualifying_units_report_quotes_its_evidence(pages: dict[str, Rendered]) -> None:
    page = pages["mau08-tap-the"]
    assert f"Tên tập thể đề nghị khen thưởng: {QLVT_NAME}" in " ".join(page.lines())
    rows = [page.line_with(name) for name in (
        "1 Tỷ lệ dịch vụ công", "2 Tỷ lệ hồ sơ xử lý", "3 Tỷ lệ thanh toán")]
    assert rows[0].endswith("19 20 95,00% ≥ 90,00% Đạt")
    assert rows[1].endswith("1.020 1.091 93,49% ≥ 90,00% Đạt")
    assert rows[2].endswith("515 1.091 47,20% ≥ 45,00% Đạt")
    flowing = " ".join(page.lines())
    # K2 is "xử lý" in its name and in its explanation alike.
    assert "Tỷ lệ hồ sơ xử lý trực tuyến: tử số là số hồ sơ xử lý trực tuyến" in flowing
    assert "số liệu tính đến 16:30 ngày 31/12/2024" in flowing
    assert "(tiêu chí bản số 1 năm 2024)" in flowing
    assert "chưa đủ tiêu chuẩn" not in flowing.lower()


def test_the_signature_blocks_leave_room_to_sign_and_stamp(pages: dict[str, Rendered]) -> None:
    page = pages["mau08-tap-the"]
    last = page.pages
    hint = page.find("(Ký, đóng dấu)", page=last)[0]
    name_lines = [w for w in page.words if w.page == last and w.text.startswith("……")]
    assert len(name_lines) == 2  # the head of unit and the superior, one line each
    assert len({round(w.y_min) for w in name_lines}) == 1  # level with each other
    assert name_lines[0].y_min - hint.y_max > 2.0 * POINTS_PER_CM
    officer = pages["mau08-ca-nhan"]
    reporter = officer.find("NGƯỜI BÁO CÁO THÀNH TÍCH", page=officer.pages)
    signed = officer.find(OFFICER, page=officer.pages)
    assert signed[0].y_min - reporter[0].y_max > 2.5 * POINTS_PER_CM


def test_an_officers_report_shows_only_the_criterion_that_applies(
    pages: dict[str, Rendered],
) -> None:
    page = pages["mau08-ca-nhan"]
    assert page.text.count("Không áp dụng đối với cá nhân") == 2
    assert "Chưa có số liệu" not in page.text and "Chưa đạt" not in page.text
    assert page.line_with("3 Tỷ lệ thanh toán").endswith("59 125 47,20% ≥ 45,00% Đạt")
    flowing = " ".join(page.lines())
    assert ("- Đạt: Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia đạt 47,20% "
            "(≥ 45,00%), 125 hồ sơ có phí (≥ 30).") in flowing


def test_a_report_for_a_unit_that_does_not_qualify_says_so_on_the_page(
    pages: dict[str, Rendered],
) -> None:
    page = pages["mau08-chua-du-tieu-chuan"]
    assert "BẢN DỰ THẢO – CHƯA ĐỦ TIÊU CHUẨN" in page.lines()
    assert page.line_with("2 Tỷ lệ hồ sơ xử lý").endswith(
        "948 1.091 86,89% ≥ 90,00% Chưa đạt")
    assert "- Chưa đạt: Tỷ lệ hồ sơ xử lý trực tuyến đạt 86,89% (< 90,00%)." in " ".join(
        page.lines())
    assert ("Soạn theo yêu cầu của Văn phòng Sở. Lý do chưa đủ tiêu chuẩn: không còn đạt đủ "
            "các chỉ tiêu; tỷ lệ hồ sơ xử lý trực tuyến đạt 86,89% (< 90,00%).") in " ".join(
        page.lines())


def test_the_decision_reads_as_an_administrative_decision(pages: dict[str, Rendered]) -> None:
    page = pages["quyet-dinh"]
    assert page.pages == 2  # the decision, then its annex on a page of its own
    assert page.line_with("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN") == (
        "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert page.line_with("SỞ GIAO THÔNG VẬN TẢI") == (
        "SỞ GIAO THÔNG VẬN TẢI Độc lập - Tự do - Hạnh phúc")
    assert page.line_with("Số: 125/QĐ-SGTVT") == (
        "Số: 125/QĐ-SGTVT Lạng Sơn, ngày 15 tháng 01 năm 2025")
    lines = page.lines()
    order = ["QUYẾT ĐỊNH", "GIÁM ĐỐC SỞ GIAO THÔNG VẬN TẢI", "QUYẾT ĐỊNH:"]
    assert [lines.index(x) for x in order] == sorted(lines.index(x) for x in order)
    flowing = " ".join(lines)
    for basis in ("Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
                  "Căn cứ Nghị định số 98/2023/NĐ-CP ngày 31 tháng 12 năm 2023",
                  "Căn cứ Kế hoạch số 134/KH-UBND ngày 06 tháng 6 năm 2024"):
        assert basis in flowing
    assert ("Điều 1. Tặng Giấy khen của Giám đốc Sở Giao thông vận tải cho 01 tập thể và 01 "
            "cá nhân (có danh sách kèm theo)") in flowing
    assert "Điều 2." in flowing and "Điều 3." in flowing
    assert "Nơi nhận:" in flowing and "- Như Điều 3;" in flowing and "- Lưu: VT, VP." in flowing
    hint = page.find("GIÁM ĐỐC", page=1)[-1]
    signed = page.find("Dương Công Vĩ", page=1)
    assert signed[0].y_min - hint.y_max > 2.5 * POINTS_PER_CM
    annex = [line for line in page.text.split("\f")[1].splitlines() if line.strip()]
    annex_text = " ".join(" ".join(annex).split())
    assert annex_text.startswith("DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TẶNG GIẤY KHEN CỦA GIÁM ĐỐC SỞ "
                                 "GIAO THÔNG VẬN TẢI (Kèm theo")
    assert "(Kèm theo Quyết định số 125/QĐ-SGTVT ngày 15/01/2025" in annex_text
    assert "I. TẬP THỂ (1 tập thể)" in annex_text and "II. CÁ NHÂN (1 cá nhân)" in annex_text
    # Name and achievement stand side by side in the table: found as words on the page.
    page.find("Phòng Quản lý vận tải,", page=2)
    page.find("Nguyễn Thị Hương, Chuyên viên", page=2)
    page.find("93,49% (1.020/1.091 hồ sơ);", page=2)
    page.find("47,20% (59/125 hồ sơ).", page=2)
    assert "kết cấu hạ tầng" not in page.text  # the revoked award is left out


@pytest.mark.parametrize("name,nominee,title,signer", [
    ("giay-khen-tap-the", QLVT_NAME, "GIẤY KHEN", "Dương Công Vĩ"),
    ("giay-khen-ca-nhan", OFFICER, "GIẤY KHEN", "Dương Công Vĩ"),
    ("bang-khen-tap-the", QLVT_NAME, "BẰNG KHEN", "Hồ Tiến Thiệu"),
])
def test_a_certificate_is_print_ready_with_its_fonts_embedded(
    pages: dict[str, Rendered], name: str, nominee: str, title: str, signer: str,
) -> None:
    page = pages[name]
    info = pdf_info(page.pdf)
    assert info["Pages"] == "1"
    assert info["Page size"].startswith("841.89 x 595.28")  # A4 landscape
    used = fonts(page.pdf)
    assert used and all(embedded for _, embedded in used), used
    flowing = " ".join(page.lines())
    assert title in page.lines()
    assert nominee in flowing
    assert signer in page.lines()  # the name alone: the title stands above it
    assert "%" not in flowing  # a certificate cites no figures
    if title == "GIẤY KHEN":
        assert "Quyết định số 125/QĐ-SGTVT" in flowing and "ngày 15/01/2025" in flowing
        assert "Lạng Sơn, ngày 15 tháng 01 năm 2025" in flowing
    else:
        assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" in page.lines()
        assert "Lạng Sơn, ngày 03 tháng 02 năm 2025" in flowing


def test_the_provinces_decision_has_the_committees_own_heading(
    pages: dict[str, Rendered],
) -> None:
    page = pages["quyet-dinh-bang-khen"]
    assert page.pages == 2
    lines = page.lines()
    # The People's Committee has no governing body above it: its name on two bold lines.
    assert lines[0] == "ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert lines[1] == "TỈNH LẠNG SƠN Độc lập - Tự do - Hạnh phúc"
    assert page.line_with("Số: 456/QĐ-UBND") == (
        "Số: 456/QĐ-UBND Lạng Sơn, ngày 03 tháng 02 năm 2025")
    flowing = " ".join(lines)
    assert "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" in lines
    assert "Căn cứ Luật Tổ chức chính quyền địa phương" in flowing
    assert ("Điều 1. Tặng Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh Lạng Sơn cho 01 tập thể "
            "(có danh sách kèm theo)") in flowing
    assert page.line_with("Nơi nhận:") == "Nơi nhận: CHỦ TỊCH" and "Hồ Tiến Thiệu" in lines
    assert "CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" in lines  # the annex's title, whole


def test_the_artifact_folder_is_ignored_by_git() -> None:
    ignore = (Path(__file__).resolve().parents[2] / ".gitignore").read_text(encoding="utf-8")
    assert "/var/" in ignore.splitlines()
