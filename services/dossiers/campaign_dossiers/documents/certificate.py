"""Prints a certificate (Giấy khen, Bằng khen) for one awarded nominee as a PDF, from the
template next to the campaign file: A4 landscape, a double frame, each line where the template
puts it, the fonts embedded so that the Vietnamese letters print the same on any machine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from fpdf import FPDF
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import AwardDecided
from campaign_contracts.text import NfcStr, nfc
from campaign_dossiers.documents.decision import achievement, awarded_name, signer_name
from campaign_dossiers.documents.wording import ascii_slug, date_line
from campaign_dossiers.domain.errors import Refusal, RefusalKind

Style = Literal["regular", "bold", "italic"]
STYLE_CODES: dict[Style, str] = {"regular": "", "bold": "B", "italic": "I"}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TemplateLine(_Model):
    text: NfcStr
    y: float
    x: float | None = None  # None: centred on the page
    width: float | None = None
    size: float = 14
    style: Style = "regular"
    align: Literal["center", "left"] = "center"
    color: tuple[int, int, int] = (0, 0, 0)
    rule: float | None = Field(default=None, description="Length of a rule under the line, mm")


class AwardWording(_Model):
    title: NfcStr
    authority: NfcStr
    signer_title: NfcStr


class Frame(_Model):
    margin: float
    gap: float
    color: tuple[int, int, int]


class Page(_Model):
    width: float
    height: float


class CertificateTemplate(_Model):
    page: Page
    fonts: dict[Style, list[str]]
    frame: Frame
    awards: dict[str, AwardWording]
    lines: list[TemplateLine]


def load_template(path: Path) -> CertificateTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError:
        raise Refusal(RefusalKind.INVALID, "certificate_template_missing",
                      f"Không tìm thấy mẫu giấy khen, bằng khen '{path.name}' cạnh tệp cấu hình "
                      f"đợt thi đua.") from None
    except yaml.YAMLError as error:
        raise _unreadable(path, str(error)) from None
    try:
        return CertificateTemplate.model_validate(data)
    except ValidationError as error:
        raise _unreadable(path, str(error.errors()[0]["loc"])) from None


def _unreadable(path: Path, where: str) -> Refusal:
    return Refusal(RefusalKind.INVALID, "certificate_template_invalid",
                   f"Mẫu giấy khen, bằng khen '{path.name}' không đọc được ({where}).")


@dataclass(frozen=True)
class CertificateText:
    """The values of the placeholders for one awarded nominee."""

    values: dict[str, str]


def certificate_text(
    campaign: Campaign, template: CertificateTemplate, decided: AwardDecided
) -> CertificateText:
    wording = template.awards.get(decided.award_type)
    if wording is None or campaign.documents is None:
        raise Refusal(RefusalKind.INVALID, "certificate_not_configured",
                      "Mẫu giấy khen, bằng khen chưa có hình thức khen thưởng này.")
    issuer = campaign.documents.decision_issuers.get(decided.award_type)
    name, _, detail = awarded_name(campaign, decided).partition(", ")
    if decided.nominee_kind == "collective":
        name, detail = awarded_name(campaign, decided), ""
    signer = signer_name(issuer, decided.signer) if issuer else decided.signer
    day = decided.decision_date
    return CertificateText({
        "authority": wording.authority, "title": wording.title, "nominee_name": name,
        "nominee_detail": detail, "achievement": achievement(campaign, None),
        "decision_number": decided.decision_number,
        "decision_date": day.strftime("%d/%m/%Y"),
        "date_line": date_line(campaign.documents.place, day, day.year),
        "signer_title": wording.signer_title, "signer_name": signer,
    })


def _font_file(template: CertificateTemplate, style: Style) -> str:
    for candidate in template.fonts.get(style, []):
        if Path(candidate).is_file():
            return candidate
    raise Refusal(RefusalKind.INVALID, "certificate_font_missing",
                  "Máy chủ thiếu phông chữ tiếng Việt để in giấy khen (cài fonts-liberation2 "
                  "hoặc fonts-dejavu-core).")


def print_certificate(template: CertificateTemplate, text: CertificateText) -> bytes:
    page = template.page
    pdf = FPDF(orientation="landscape", unit="mm", format=(page.height, page.width))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    for style, code in STYLE_CODES.items():
        pdf.add_font("certificate", code, _font_file(template, style))
    pdf.set_title(nfc(f"{text.values['title']} – {text.values['nominee_name']}"))
    pdf.set_lang("vi-VN")
    pdf.add_page()
    frame = template.frame
    pdf.set_draw_color(*frame.color)
    pdf.set_line_width(1.2)
    pdf.rect(frame.margin, frame.margin, page.width - 2 * frame.margin,
             page.height - 2 * frame.margin)
    inner = frame.margin + frame.gap
    pdf.set_line_width(0.4)
    pdf.rect(inner, inner, page.width - 2 * inner, page.height - 2 * inner)
    for line in template.lines:
        content = nfc(line.text.format_map(text.values)).strip()
        if not content:
            continue
        pdf.set_font("certificate", STYLE_CODES[line.style], line.size)
        pdf.set_text_color(*line.color)
        width = line.width or page.width - 2 * inner - 10
        x = line.x if line.x is not None else (page.width - width) / 2
        pdf.set_xy(x, line.y)
        height = line.size * 0.3528 * 1.25  # points to mm, with leading
        align = "C" if line.align == "center" else "L"
        pdf.multi_cell(width, height, content, align=align)
        if line.rule:
            pdf.set_draw_color(0, 0, 0)
            pdf.set_line_width(0.3)
            y = line.y + height + 0.5
            pdf.line(x + (width - line.rule) / 2, y, x + (width + line.rule) / 2, y)
    return bytes(pdf.output())


def certificate_filename(decided: AwardDecided) -> str:
    who = ascii_slug(decided.nominee_name or decided.nominee_code)
    return f"{ascii_slug(decided.award_type)}_{who}.pdf"
