"""Drafts the achievement report (Báo cáo thành tích, Mẫu số 08, Nghị định 98/2023/NĐ-CP) as a
DOCX for a nominee: headings and structure of the form, the nominee's measured K1–K3 figures
(numerator, denominator, rate against the target), the versions that produced them, and
highlighted blanks for what only the unit can write. The unit completes, signs and uploads it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Cm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from campaign_contracts.campaign_file import AwardType, Campaign, Officer, Unit
from campaign_contracts.events import Figure
from campaign_contracts.text import nfc
from campaign_dossiers.domain.nominees import Nomination
from campaign_dossiers.figures import NomineeFigure

FONT = "Times New Roman"  # the font of administrative documents (Nghị định 30/2020/NĐ-CP)
DRAFTER = "Hệ thống theo dõi thi đua – Sở Giao thông vận tải"
# STT, indicator, numerator, denominator, rate, target, verdict: 16 cm, the A4 text width.
COLUMN_WIDTHS = [Cm(w) for w in (1.1, 5.2, 1.6, 1.6, 2.2, 2.2, 2.1)]

# What each indicator counts, in the words of the report (definitions of Decision 766/QĐ-TTg).
COUNTS: dict[str, tuple[str, str]] = {
    "K1": ("số dịch vụ công trực tuyến có phát sinh hồ sơ nộp trực tuyến",
                       "số dịch vụ công trực tuyến của đơn vị trong danh mục"),
    "K2": ("số hồ sơ tiếp nhận trực tuyến", "tổng số hồ sơ tiếp nhận"),
    "K3": ("số hồ sơ có phí, lệ phí được thanh toán trực tuyến",
                       "số hồ sơ có phí, lệ phí đã tiếp nhận"),
}


def percent(rate: Decimal) -> str:
    """0.45 -> '45,00%' (Vietnamese decimal comma)."""
    return f"{rate * 100:.2f}".replace(".", ",") + "%"


def local(moment: datetime, campaign: Campaign) -> str:
    return moment.astimezone(campaign.tz).strftime("%H:%M ngày %d/%m/%Y")


def ascii_slug(text: str) -> str:
    """'Nguyễn Thị Hương' -> 'Nguyen_Thi_Huong' (for a file name any system accepts)."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_") or "de_nghi"


@dataclass(frozen=True)
class Nominee:
    """Who the report is about, as the campaign file names them."""

    nomination: Nomination
    unit: Unit
    officer: Officer | None  # None for a collective

    @property
    def display_name(self) -> str:
        if self.officer is None:
            return self.unit.name
        title = f", {self.officer.title}" if self.officer.title else ""
        return f"{self.officer.name}{title}, {self.unit.name}"


@dataclass(frozen=True)
class Row:
    """One line of the figures table, as text."""

    number: str
    indicator: str
    numerator: str
    denominator: str
    rate: str
    target: str
    verdict: str


def figure_rows(campaign: Campaign, figures: list[NomineeFigure]) -> list[Row]:
    by_code = {f.indicator: f for f in figures}
    rows = []
    for number, rule in enumerate(campaign.indicators, start=1):
        measured = by_code.get(rule.code)
        label = f"{rule.code}. {rule.name}"
        if measured is None:
            rows.append(Row(str(number), label, "–", "–", "–", f"≥ {percent(rule.target)}",
                            "Chưa có số liệu"))
            continue
        figure: Figure = measured.figure
        rate = "không xác định (mẫu số bằng 0)" if figure.rate is None else percent(figure.rate)
        verdict = "Đạt" if measured.target_met else "Chưa đạt"
        rows.append(Row(str(number), label, str(figure.numerator), str(figure.denominator), rate,
                        f"≥ {percent(measured.target)}", verdict))
    return rows


class _Writer:
    """Paragraph helpers over one python-docx Document."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT  # type: ignore[attr-defined]
        normal.font.size = Pt(13)  # type: ignore[attr-defined]

    def para(
        self, text: str = "", *, bold: bool = False, italic: bool = False,
        center: bool = False, size: int | None = None, where: _Cell | None = None,
    ) -> Paragraph:
        paragraph = where.add_paragraph() if where is not None else self.doc.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(3)
        if text:
            self.run(paragraph, text, bold=bold, italic=italic, size=size)
        return paragraph

    def run(self, paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
            size: int | None = None, blank: bool = False) -> None:
        run = paragraph.add_run(nfc(text))
        run.bold, run.italic = bold, italic
        run.font.name = FONT
        if size is not None:
            run.font.size = Pt(size)
        if blank:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW

    def blank(self, label: str, hint: str) -> None:
        """A line for the unit to complete: the label, then a highlighted hint."""
        paragraph = self.para(f"- {label}: ")
        self.run(paragraph, f"[Đơn vị điền: {hint}]", italic=True, blank=True)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _first_paragraph(cell: _Cell, writer: _Writer, text: str, *, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    writer.run(paragraph, text, bold=bold)


def draft_form08(
    campaign: Campaign, award: AwardType, nominee: Nominee, figures: list[NomineeFigure],
    drafted_at: datetime,
) -> bytes:
    """The DOCX bytes of the draft report."""
    w = _Writer()
    core = w.doc.core_properties
    core.title = nfc(f"Báo cáo thành tích đề nghị tặng {award.name} – {nominee.display_name}")
    core.author = core.last_modified_by = DRAFTER
    core.created = core.modified = drafted_at
    core.language = "vi-VN"

    # Heading: the issuing body and the unit on the left, the national motto on the right.
    heading = w.doc.add_table(rows=1, cols=2)
    heading.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = heading.rows[0].cells
    _first_paragraph(left, w, campaign.issuing_body.upper())
    w.para(nominee.unit.name.upper(), bold=True, center=True, where=left)
    _first_paragraph(right, w, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True)
    w.para("Độc lập - Tự do - Hạnh phúc", bold=True, center=True, where=right)
    w.para("……, ngày … tháng … năm 20…", italic=True, center=True, where=right)

    w.para()
    w.para("BÁO CÁO THÀNH TÍCH", bold=True, center=True, size=14)
    w.para(f"ĐỀ NGHỊ TẶNG {award.name.upper()}", bold=True, center=True, size=14)
    w.para(f"(Thành tích trong đợt thi đua {campaign.name})", italic=True, center=True)
    w.para("Mẫu số 08 ban hành kèm theo Nghị định số 98/2023/NĐ-CP ngày 31/12/2023 của Chính phủ",
           italic=True, center=True, size=11)
    kind = "Tập thể" if nominee.officer is None else "Cá nhân"
    w.para(f"{kind} đề nghị khen thưởng: {nominee.display_name}", bold=True)

    w.para("I. THÔNG TIN CHUNG", bold=True)
    if nominee.officer is None:
        w.blank("Địa chỉ trụ sở, điện thoại, thư điện tử", "địa chỉ, số điện thoại, e-mail")
        w.blank("Cơ cấu tổ chức, số cán bộ, công chức, viên chức",
                "các bộ phận; tổng số người, trong đó ở Bộ phận Một cửa")
        w.blank("Chức năng, nhiệm vụ được giao", "tóm tắt chức năng, nhiệm vụ")
    else:
        w.para(f"- Họ và tên: {nominee.officer.name}")
        w.blank("Ngày, tháng, năm sinh; quê quán", "ngày sinh, quê quán")
        post = f"{nominee.officer.title}, " if nominee.officer.title else ""
        w.para(f"- Chức vụ, đơn vị công tác: {post}{nominee.unit.name}")
        w.blank("Trình độ chuyên môn, nghiệp vụ", "trình độ, chuyên ngành")

    w.para("II. THÀNH TÍCH ĐẠT ĐƯỢC", bold=True)
    w.para("1. Kết quả thực hiện các chỉ tiêu của đợt thi đua", bold=True)
    as_of = max((f.as_of for f in figures), default=None)
    source = (f"tính đến {local(as_of, campaign)}" if as_of is not None
              else "chưa có hồ sơ nào được ghi nhận")
    w.para(f"Số liệu do hệ thống theo dõi thi đua tính từ hồ sơ thủ tục hành chính đồng bộ từ "
           f"Cổng Dịch vụ công, trong thời gian đợt thi đua ({campaign.period.start:%d/%m/%Y} – "
           f"{campaign.period.end:%d/%m/%Y}), {source}:")
    _figures_table(w, figure_rows(campaign, figures))
    for rule in campaign.indicators:
        numerator, denominator = COUNTS[rule.code]
        w.para(f"- {rule.code}: tử số là {numerator}; mẫu số là {denominator}.",
               italic=True, size=11)
    campaign_versions = sorted({f.campaign_version for f in figures}) or [campaign.version]
    catalogue_versions = sorted({f.catalogue_version for f in figures}) or ["–"]
    w.para(f"Nguồn số liệu: đợt thi đua {campaign.campaign_id} phiên bản "
           f"{', '.join(campaign_versions)}; danh mục thủ tục hành chính phiên bản "
           f"{', '.join(catalogue_versions)}; bản dự thảo lập lúc {local(drafted_at, campaign)}.",
           italic=True, size=11)
    w.para("2. Các giải pháp, biện pháp đã thực hiện", bold=True)
    w.blank("Giải pháp", "cách đã hướng dẫn, hỗ trợ người dân thanh toán trực tuyến")
    w.para("3. Sáng kiến, kinh nghiệm, hiệu quả", bold=True)
    w.blank("Sáng kiến", "sáng kiến, cách làm hay và hiệu quả mang lại")

    w.para()
    _signatures(w, nominee)
    return w.bytes()


def _figures_table(w: _Writer, rows: list[Row]) -> None:
    header = Row("STT", "Chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ đạt", "Chỉ tiêu giao", "Kết quả")
    table = w.doc.add_table(rows=1 + len(rows), cols=7)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for r, row in enumerate([header, *rows]):
        values = [row.number, row.indicator, row.numerator, row.denominator, row.rate,
                  row.target, row.verdict]
        for c, value in enumerate(values):
            cell = table.cell(r, c)
            cell.width = COLUMN_WIDTHS[c]
            paragraph = cell.paragraphs[0]
            if c != 1:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            w.run(paragraph, value, bold=r == 0, size=11)


def _signatures(w: _Writer, nominee: Nominee) -> None:
    table = w.doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    if nominee.officer is None:
        _first_paragraph(left, w, "XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG", bold=True)
        w.para("(Ký, đóng dấu)", italic=True, center=True, where=left)
        _first_paragraph(right, w, "THỦ TRƯỞNG ĐƠN VỊ", bold=True)
        w.para("(Ký, đóng dấu)", italic=True, center=True, where=right)
    else:
        _first_paragraph(left, w, "THỦ TRƯỞNG ĐƠN VỊ XÁC NHẬN, ĐỀ NGHỊ", bold=True)
        w.para("(Ký, đóng dấu)", italic=True, center=True, where=left)
        _first_paragraph(right, w, "NGƯỜI BÁO CÁO THÀNH TÍCH", bold=True)
        w.para("(Ký, ghi rõ họ và tên)", italic=True, center=True, where=right)
        w.para()
        w.para(nominee.officer.name, bold=True, center=True, where=right)


def report_filename(award: AwardType, nominee: Nominee) -> str:
    who = ascii_slug(nominee.nomination.nominee_code)
    return f"Mau08_BaoCaoThanhTich_{ascii_slug(award.code)}_{who}.docx"
