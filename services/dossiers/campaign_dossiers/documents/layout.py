"""The layout of a Vietnamese administrative document in DOCX (Nghị định 30/2020/NĐ-CP, Phụ lục
I): A4, margins 2 / 2 / 3 / 2 cm, Times New Roman 13; the heading with the issuing body on the
left and the national name and motto on the right, each with its rule beneath; tables with
fixed grid widths (LibreOffice lays a table out by its grid, Word by its cells: both are set);
signature blocks with room for the signature and the stamp and a line for the name."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from campaign_contracts.text import nfc

FONT = "Times New Roman"  # Liberation Serif has its letter widths where it is missing
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TEXT_WIDTH_CM = 16.0  # A4 (21 cm) less the 3 cm and 2 cm side margins
# The heading is wider than the text by 1 cm (0.8 cm into the left margin, as the decree's
# samples are) so that a governing body such as "ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN" (7.3 cm at
# 12 pt) and the national name (8.8 cm at 12 pt bold) each stand on one line with room between.
HEADING_WIDTHS_CM = (7.7, 9.3)
HEADING_INDENT_CM = -0.8
MOTTO_RULE_CM = 5.6      # as long as the motto at 13 pt bold
BODY_RULE_CM = 2.4       # a third to a half of the issuing body's name
SIGNATURE_ROOM_LINES = 4  # for the signature and the stamp over it


@dataclass(frozen=True)
class Line:
    """One line of a heading or signature block."""

    text: str
    bold: bool = False
    italic: bool = False
    size: int = 13
    highlight: bool = False


class DocxWriter:
    """A document with the decree's page, font and paragraph conventions."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Cm(29.7), Cm(21.0)
        section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
        section.left_margin, section.right_margin = Cm(3.0), Cm(2.0)
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT  # type: ignore[attr-defined]
        normal.font.size = Pt(13)  # type: ignore[attr-defined]
        fmt = normal.paragraph_format  # type: ignore[attr-defined]
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(3), 1.1

    # --- text --------------------------------------------------------------------------------

    def para(
        self, text: str = "", *, bold: bool = False, italic: bool = False, center: bool = False,
        justify: bool = False, size: int | None = None, where: _Cell | None = None,
        indent_cm: float | None = None, after: float | None = None,
    ) -> Paragraph:
        paragraph = where.add_paragraph() if where is not None else self.doc.add_paragraph()
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif justify:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent_cm is not None:
            paragraph.paragraph_format.first_line_indent = Cm(indent_cm)
        if after is not None:
            paragraph.paragraph_format.space_after = Pt(after)
        if text:
            self.run(paragraph, text, bold=bold, italic=italic, size=size)
        return paragraph

    def run(self, paragraph: Paragraph, text: str, *, bold: bool = False, italic: bool = False,
            size: int | None = None, highlight: bool = False) -> None:
        parts = nfc(text).split("\n")
        for number, part in enumerate(parts):
            run = paragraph.add_run(part)
            run.bold, run.italic = bold, italic
            run.font.name = FONT
            if size is not None:
                run.font.size = Pt(size)
            if highlight:
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            if number < len(parts) - 1:
                run.add_break()

    def blank(self, label: str, hint: str) -> None:
        """A line for the unit to complete: the label, then a highlighted hint."""
        paragraph = self.para(f"- {label}: ", justify=True)
        self.run(paragraph, f"[Đơn vị điền: {hint}]", italic=True, highlight=True)

    def lines(self, cell: _Cell, lines: Sequence[Line]) -> None:
        """Centred lines in a cell, the first in the cell's own paragraph."""
        for number, line in enumerate(lines):
            paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.space_after = Pt(0)
            if line.text:
                self.run(paragraph, line.text, bold=line.bold, italic=line.italic,
                         size=line.size, highlight=line.highlight)

    def rule(self, cell: _Cell, length_cm: float, column_cm: float) -> None:
        """A centred horizontal rule of the given length under the cell's last line."""
        paragraph = cell.add_paragraph()
        fmt = paragraph.paragraph_format
        side = Cm(max(0.0, (column_cm - length_cm) / 2))
        fmt.left_indent, fmt.right_indent = side, side
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(3), Pt(4), Pt(2)
        borders = OxmlElement("w:pBdr")
        top = OxmlElement("w:top")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                           ("w:color", "000000")):
            top.set(qn(key), value)
        borders.append(top)
        properties = paragraph._p.get_or_add_pPr()
        properties.append(borders)
        _in_schema_order(properties, P_PR_ORDER)
        self.run(paragraph, "", size=2)

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- tables ------------------------------------------------------------------------------

    def table(self, rows: int, widths_cm: Sequence[float], *, grid: bool = False,
              indent_cm: float = 0.0, no_cell_margins: bool = False) -> Table:
        table: Table = self.doc.add_table(rows=rows, cols=len(widths_cm))
        if grid:
            table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT if indent_cm else WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        fix_widths(table, widths_cm, indent_cm)
        if no_cell_margins:
            _no_cell_margins(table)
        return table

    def heading(
        self, left: Sequence[Line], right: Sequence[Line], *, left_rule: bool,
        left_after_rule: Sequence[Line] = (), right_after_rule: Sequence[Line] = (),
    ) -> None:
        """The heading of the first page: issuing body | national name and motto, with rules."""
        table = self.table(1, HEADING_WIDTHS_CM, indent_cm=HEADING_INDENT_CM,
                           no_cell_margins=True)
        left_cell, right_cell = table.rows[0].cells
        self.lines(left_cell, left)
        if left_rule:
            self.rule(left_cell, BODY_RULE_CM, HEADING_WIDTHS_CM[0])
        for line in left_after_rule:
            self.lines_after(left_cell, line)
        self.lines(right_cell, right)
        self.rule(right_cell, MOTTO_RULE_CM, HEADING_WIDTHS_CM[1])
        for line in right_after_rule:
            self.lines_after(right_cell, line)

    def lines_after(self, cell: _Cell, line: Line) -> None:
        paragraph = cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.space_after = Pt(0)
        self.run(paragraph, line.text, bold=line.bold, italic=line.italic, size=line.size)

    def signature(self, cell: _Cell, titles: Sequence[str], hint: str, name: str | None,
                  *, title_lines: int = 1) -> None:
        """Title(s) in bold capitals, the hint in italics, room to sign and stamp, the name (or
        a dotted line for it); `title_lines` pads the titles so that blocks side by side have
        their name lines level."""
        lines = [Line(t, bold=True) for t in titles] + [Line(hint, italic=True)]
        lines += [Line("")] * (title_lines - len(titles))
        lines += [Line("")] * SIGNATURE_ROOM_LINES
        lines.append(Line(name, bold=True) if name else Line("……………………………………"))
        self.lines(cell, lines)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def fix_widths(table: Table, widths_cm: Sequence[float], indent_cm: float = 0.0) -> None:
    """Fixed layout with the widths in the grid (w:tblGrid), the table and every cell."""
    tbl = table._tbl
    properties = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    properties.append(layout)
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(_twips(sum(widths_cm))))
    total.set(qn("w:type"), "dxa")
    for old in properties.findall(qn("w:tblW")):
        properties.remove(old)
    properties.append(total)
    if indent_cm:
        indent = OxmlElement("w:tblInd")
        indent.set(qn("w:w"), str(_twips(indent_cm)))
        indent.set(qn("w:type"), "dxa")
        properties.append(indent)
    _in_schema_order(properties, TBL_PR_ORDER)
    for column, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_cm, strict=True):
        column.set(qn("w:w"), str(_twips(width)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=True):
            cell.width = Cm(width)


def _no_cell_margins(table: Table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        element = OxmlElement(f"w:{side}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    table._tbl.tblPr.append(margins)
    _in_schema_order(table._tbl.tblPr, TBL_PR_ORDER)


# Word refuses properties out of the schema's order (LibreOffice does not mind): keep it.
TBL_PR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
                "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders",
                "shd", "tblLayout", "tblCellMar", "tblLook")
P_PR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
              "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
              "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
              "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
              "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
              "sectPr", "pPrChange")


def _in_schema_order(element: object, order: tuple[str, ...]) -> None:
    rank = {qn(f"w:{name}"): number for number, name in enumerate(order)}
    children = list(element)  # type: ignore[call-overload]
    for child in children:
        element.remove(child)  # type: ignore[attr-defined]
    for child in sorted(children, key=lambda c: rank.get(c.tag, len(order))):
        element.append(child)  # type: ignore[attr-defined]


def _twips(cm: float) -> int:
    return round(cm / 2.54 * 1440)


def cell_text(writer: DocxWriter, cell: _Cell, text: str, *, bold: bool = False,
              center: bool = False, size: int = 12) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    writer.run(paragraph, text, bold=bold, size=size)
