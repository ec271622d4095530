"""Drafts the achievement report (Báo cáo thành tích, Mẫu số 08 ban hành kèm theo Nghị định
98/2023/NĐ-CP) as a DOCX: the form's heading, title and parts, the nominee's figures (numerator,
denominator, rate against the target) for the indicators that apply to the award, the award's
conditions as the awards service judged them, and highlighted blanks for what only the unit can
write. The unit completes, signs, stamps and uploads it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import RGBColor

from campaign_contracts.campaign_file import AwardType, Campaign, Officer, Unit
from campaign_contracts.events import ConditionResult, IndicatorStanding
from campaign_contracts.text import nfc
from campaign_dossiers.documents.layout import MOTTO, NATION, DocxWriter, Line, cell_text
from campaign_dossiers.documents.wording import (
    ascii_slug,
    campaign_phrase,
    count,
    date_line,
    full_name,
    local_time,
    named_indicators,
    percent,
    short_date,
    title_lines,
    version_in_words,
)
from campaign_dossiers.domain.eligibility import NOT_QUALIFIED_MARK
from campaign_dossiers.domain.nominees import Nomination

DRAFTER = "Hệ thống theo dõi thi đua – Sở Giao thông vận tải"
# STT, indicator, numerator, denominator, rate, target, verdict: 16 cm, the A4 text width.
COLUMN_WIDTHS_CM = (1.3, 5.1, 1.9, 1.9, 2.0, 1.9, 1.9)
HEADER = ("STT", "Tên chỉ tiêu", "Tử số", "Mẫu số", "Tỷ lệ đạt", "Mục tiêu", "Kết quả")


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
class Basis:
    """The figures a report quotes and what they were judged on: a candidate's frozen evidence,
    or (for a marked draft of a nominee never proposed) the latest measured figures."""

    figures: list[IndicatorStanding]
    conditions: list[ConditionResult]
    campaign_version: str
    catalogue_version: str
    as_of: datetime | None  # the figures' time, inside the campaign
    applicable: frozenset[str] | None = None  # indicator codes; None: every indicator


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

    def cells(self) -> tuple[str, ...]:
        return (self.number, self.indicator, self.numerator, self.denominator, self.rate,
                self.target, self.verdict)


def figure_rows(campaign: Campaign, basis: Basis, individual: bool) -> list[Row]:
    by_code = {f.indicator: f for f in basis.figures}
    rows = []
    for number, rule in enumerate(campaign.indicators, start=1):
        label = full_name(rule, rule.code)
        target = f"≥ {percent(rule.target)}"
        applies = basis.applicable is None or rule.code in basis.applicable
        measured = by_code.get(rule.code)
        if not applies:
            who = "cá nhân" if individual else "hình thức khen thưởng này"
            rows.append(Row(str(number), label, "", "", "", "", f"Không áp dụng đối với {who}"))
            continue
        if measured is None:
            rows.append(Row(str(number), label, "", "", "", target, "Chưa có số liệu"))
            continue
        figure = measured.figure
        rate = "Không xác định (mẫu số bằng 0)" if figure.rate is None else percent(figure.rate)
        rows.append(Row(str(number), label, count(figure.numerator), count(figure.denominator),
                        rate, f"≥ {percent(measured.target)}",
                        "Đạt" if measured.target_met else "Chưa đạt"))
    return rows


def shown_as_of(moment: datetime, campaign: Campaign) -> datetime:
    """The figures' time, never past the campaign's last day (a replay is not a new figure)."""
    end = datetime.combine(campaign.period.end + timedelta(days=1), time(), campaign.tz)
    return min(moment, end - timedelta(minutes=1))


def draft_form08(
    campaign: Campaign, award: AwardType, nominee: Nominee, basis: Basis, drafted_at: datetime,
    *, shortfall: str | None = None,
) -> bytes:
    """The DOCX bytes of the draft report; `shortfall` marks a nominee who does not qualify."""
    documents = campaign.documents
    issuer = documents.decision_issuers.get(award.code) if documents else None
    award_title = issuer.award_title if issuer else award.name
    place = documents.place if documents else "……"
    department = documents.department if documents else campaign.issuing_body
    individual = nominee.officer is not None
    w = DocxWriter()
    core = w.doc.core_properties
    core.title = nfc(f"Báo cáo thành tích đề nghị tặng {award_title} – {nominee.display_name}")
    core.author = core.last_modified_by = DRAFTER
    core.created = core.modified = drafted_at
    core.language = "vi-VN"
    # The traceable identifiers stay in the file's properties, out of the text people read.
    core.identifier = f"{campaign.campaign_id} {basis.campaign_version}"
    core.keywords = f"danh mục TTHC {basis.catalogue_version}"

    caption = w.para("Mẫu số 08", bold=True, after=0)
    caption.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    w.heading(
        [Line(department.upper(), size=12), Line(nominee.unit.name.upper(), bold=True, size=12)],
        [Line(NATION, bold=True, size=12), Line(MOTTO, bold=True, size=13)],
        left_rule=True,
        right_after_rule=[Line(date_line(place, None, min(drafted_at.year,
                                                          campaign.dossier_deadline.year)),
                               italic=True)],
    )
    w.para()
    w.para("BÁO CÁO THÀNH TÍCH", bold=True, center=True, size=14, after=0)
    w.para(title_lines(f"Đề nghị tặng {award_title}"), bold=True, center=True, size=14,
           after=0)
    w.para(f"(Thành tích xuất sắc trong {campaign_phrase(campaign)})", italic=True, center=True)
    if shortfall is not None:
        _not_qualified(w, shortfall)
    kind = "cá nhân" if individual else "tập thể"
    w.para(f"Tên {kind} đề nghị khen thưởng: {nominee.display_name}", bold=True, justify=True)

    w.para("I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH", bold=True)
    if nominee.officer is None:
        w.blank("Địa chỉ trụ sở, điện thoại, thư điện tử", "địa chỉ, số điện thoại, thư điện tử")
        w.blank("Cơ cấu tổ chức, số cán bộ, công chức, viên chức",
                "các bộ phận; tổng số người, trong đó ở Bộ phận Một cửa")
        w.blank("Chức năng, nhiệm vụ được giao", "tóm tắt chức năng, nhiệm vụ")
    else:
        w.para(f"- Họ và tên: {nominee.officer.name}")
        w.blank("Ngày, tháng, năm sinh; quê quán", "ngày sinh, quê quán")
        post = f"{nominee.officer.title}, " if nominee.officer.title else ""
        w.para(f"- Chức vụ, đơn vị công tác: {post}{nominee.unit.name}", justify=True)
        w.blank("Trình độ chuyên môn, nghiệp vụ", "trình độ, chuyên ngành")

    w.para("II. THÀNH TÍCH ĐẠT ĐƯỢC", bold=True)
    w.para("1. Kết quả thực hiện các chỉ tiêu của đợt thi đua", bold=True)
    period = f"{short_date(campaign.period.start)} – {short_date(campaign.period.end)}"
    w.para(f"Số liệu tính từ hồ sơ thủ tục hành chính đồng bộ từ Cổng Dịch vụ công trong thời "
           f"gian thi đua ({period}):", justify=True, indent_cm=1.0)
    rows = figure_rows(campaign, basis, individual)
    _figures_table(w, rows)
    applicable = [r for r in campaign.indicators
                  if basis.applicable is None or r.code in basis.applicable]
    for rule in applicable:
        if rule.wording is not None:
            w.para(f"- {rule.wording.full_name}: tử số là {rule.wording.numerator}; mẫu số là "
                   f"{rule.wording.denominator}.", italic=True, size=12, justify=True)
    if basis.conditions:
        w.para(f"2. Đối chiếu với tiêu chuẩn {award_title}", bold=True)
        for condition in basis.conditions:
            # The verdict first, in bold: the detail itself says "đạt 86,86%" either way.
            paragraph = w.para("- ", justify=True)
            w.run(paragraph, "Đạt: " if condition.met else "Chưa đạt: ", bold=True)
            w.run(paragraph, named_indicators(condition.detail, campaign).rstrip(".") + ".")
    if basis.as_of is None:
        as_of = "chưa có hồ sơ nào được ghi nhận"
    else:
        as_of = f"số liệu tính đến {local_time(shown_as_of(basis.as_of, campaign), campaign)}"
    w.para(f"Nguồn số liệu: hệ thống theo dõi {campaign_phrase(campaign)} (tiêu chí "
           f"{version_in_words(basis.campaign_version)}); {as_of}.", italic=True, size=12,
           justify=True)
    number = 3 if basis.conditions else 2
    w.para(f"{number}. Các giải pháp, biện pháp đã thực hiện", bold=True)
    w.blank("Giải pháp", "cách đã hướng dẫn, hỗ trợ người dân thanh toán trực tuyến")
    w.para(f"{number + 1}. Sáng kiến, kinh nghiệm, hiệu quả", bold=True)
    w.blank("Sáng kiến", "sáng kiến, cách làm hay và hiệu quả mang lại")

    w.para()
    _signatures(w, nominee)
    return w.bytes()


def _not_qualified(w: DocxWriter, shortfall: str) -> None:
    paragraph = w.para(center=True)
    w.run(paragraph, f"BẢN DỰ THẢO – {NOT_QUALIFIED_MARK.upper()}", bold=True)
    for run in paragraph.runs:
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    note = w.para(f"Soạn theo yêu cầu của Văn phòng Sở. Lý do {NOT_QUALIFIED_MARK}: "
                  f"{shortfall}.", italic=True, center=True, size=12)
    for run in note.runs:
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _figures_table(w: DocxWriter, rows: list[Row]) -> None:
    table = w.table(1 + len(rows), COLUMN_WIDTHS_CM, grid=True)
    for c, value in enumerate(HEADER):
        cell_text(w, table.cell(0, c), value, bold=True, center=True, size=11)
    for r, row in enumerate(rows, start=1):
        cells = row.cells()
        if not row.numerator and not row.target:
            # Not applicable: one cell across the figures, so no empty figure reads as zero.
            table.cell(r, 2).merge(table.cell(r, 6))
            cells = (*cells[:2], row.verdict)
        for c, value in enumerate(cells):
            cell_text(w, table.cell(r, c), value, center=c != 1, size=11)


def _signatures(w: DocxWriter, nominee: Nominee) -> None:
    table = w.table(1, (8.0, 8.0))
    left, right = table.rows[0].cells
    if nominee.officer is None:
        w.signature(left, ["THỦ TRƯỞNG ĐƠN VỊ CẤP TRÊN", "XÁC NHẬN, ĐỀ NGHỊ"],
                    "(Ký, đóng dấu)", None, title_lines=2)
        w.signature(right, ["THỦ TRƯỞNG ĐƠN VỊ"], "(Ký, đóng dấu)", None, title_lines=2)
    else:
        w.signature(left, ["THỦ TRƯỞNG ĐƠN VỊ", "XÁC NHẬN, ĐỀ NGHỊ"], "(Ký, đóng dấu)", None,
                    title_lines=2)
        w.signature(right, ["NGƯỜI BÁO CÁO THÀNH TÍCH"], "(Ký, ghi rõ họ và tên)",
                    nominee.officer.name, title_lines=2)


def report_filename(award: AwardType, nominee: Nominee) -> str:
    who = ascii_slug(nominee.nomination.nominee_code)
    return f"Mau08_BaoCaoThanhTich_{ascii_slug(award.code)}_{who}.docx"
