"""Messages from Jinja2 templates (templates/<language>/<template>.j2), in the reader's language:
Vietnamese by default (number format 1.091 and 45,80%, dates dd/mm/yyyy), English where the
contact asks for it. Each template has a `subject` and a `body` block; the body is plain text
(blank lines between paragraphs, "- " for list items) and the HTML part is made from it."""

from __future__ import annotations

import html
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import jinja2

from campaign_contracts.campaign_file import Campaign

TEMPLATES = Path(__file__).parent / "templates"
LANGUAGES = ("vi", "en")


def group_thousands(value: int, separator: str) -> str:
    return f"{value:,}".replace(",", separator)


def number(value: Any, language: str = "vi") -> str:
    """1091 -> '1.091' (vi) or '1,091' (en); 1.5 -> '1,5' (vi) or '1.5' (en)."""
    whole = int(value)
    text = group_thousands(whole, "." if language == "vi" else ",")
    if value != whole:
        fraction = f"{Decimal(str(value)) - whole:f}".split(".")[1].rstrip("0")
        text += ("," if language == "vi" else ".") + fraction
    return text


def percent(rate: Any, language: str = "vi") -> str:
    """A 0..1 rate -> '45,80%' (vi) or '45.80%' (en); None -> n/a."""
    if rate is None or rate == "":
        return "chưa có số liệu" if language == "vi" else "n/a"
    value = (Decimal(str(rate)) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
    text = f"{value:.2f}"
    return (text.replace(".", ",") if language == "vi" else text) + "%"


def points(value: Any, language: str = "vi") -> str:
    text = f"{Decimal(str(value)).quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}"
    return text.replace(".", ",") if language == "vi" else text


def day(value: Any, language: str = "vi") -> str:
    """ISO date or time -> dd/mm/yyyy."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return f"{value:%d/%m/%Y}"


def moment(value: Any, tz: Any, language: str = "vi") -> str:
    """ISO time -> 'HH:MM dd/mm/yyyy' in the campaign's time zone."""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{when.astimezone(tz):%H:%M %d/%m/%Y}"


def campaign_phrase(name: str) -> str:
    """The campaign as Vietnamese prose names it: "đợt thi đua cao điểm “…”" for a name that
    starts with "Thi đua …" (not "đợt thi đua Thi đua …"), else "đợt thi đua “name”"."""
    name = " ".join(name.split())
    if name.lower().startswith("thi đua"):
        return "đợt " + name[:1].lower() + name[1:]
    return f"đợt thi đua “{name}”"


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def body_to_html(text: str, title: str) -> str:
    """Paragraphs and "- " lists as HTML, every character escaped."""
    parts = []
    for block in text.strip().split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        items = [line.strip()[2:] for line in lines if line.strip().startswith("- ")]
        prose = [line for line in lines if not line.strip().startswith("- ")]
        if prose:
            parts.append("<p>" + "<br>\n".join(html.escape(line) for line in prose) + "</p>")
        if items:
            parts.append("<ul>\n" + "\n".join(f"<li>{html.escape(i)}</li>" for i in items)
                         + "\n</ul>")
    return ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title></head>\n"
            "<body style=\"font-family: Arial, sans-serif; font-size: 14px\">\n"
            + "\n".join(parts) + "\n</body></html>\n")


class Renderer:
    def __init__(self, campaign: Campaign, templates: Path = TEMPLATES) -> None:
        self.campaign = campaign
        self.environments = {lang: self._environment(templates / lang, lang)
                             for lang in LANGUAGES}

    def _environment(self, folder: Path, language: str) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folder), undefined=jinja2.StrictUndefined,
            trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
            autoescape=False,  # plain text; the HTML part escapes every character
        )
        tz = self.campaign.tz
        env.filters.update(
            num=lambda v: number(v, language), pct=lambda v: percent(v, language),
            pts=lambda v: points(v, language), day=lambda v: day(v, language),
            moment=lambda v: moment(v, tz, language),
            capitalize_first=lambda v: v[:1].upper() + v[1:],
        )
        return env

    def common(self, unit_code: str, recipient_name: str) -> dict[str, Any]:
        campaign = self.campaign
        unit = campaign.unit(unit_code)
        notifications = campaign.notifications
        return {
            "campaign_name": " ".join(campaign.name.split()),
            "campaign_phrase": campaign_phrase(campaign.name),
            "issuing_body": campaign.issuing_body,
            "unit_code": unit_code, "unit_name": unit.name if unit else unit_code,
            "recipient_name": recipient_name,
            "period_start": campaign.period.start.isoformat(),
            "period_end": campaign.period.end.isoformat(),
            "dossier_deadline": campaign.dossier_deadline.isoformat(),
            "workspace_url": notifications.workspace_url,
            "sender_name": notifications.sender_name,
            "document_kinds": campaign.document_kinds,
        }

    def render(self, template: str, language: str, context: dict[str, Any],
               unit_code: str, recipient_name: str, today: date) -> Rendered:
        env = self.environments.get(language, self.environments["vi"])
        compiled = env.get_template(f"{template}.j2")
        values = {**self.common(unit_code, recipient_name), **context, "this": context,
                  "today": today.isoformat()}
        run = compiled.new_context(values)
        subject = " ".join("".join(compiled.blocks["subject"](run)).split())
        text = "".join(compiled.blocks["body"](run)).strip() + "\n"
        text = "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
        while "\n\n\n" in text:
            text = text.replace("\n\n\n", "\n\n")
        subject, text = unicodedata.normalize("NFC", subject), unicodedata.normalize("NFC", text)
        return Rendered(subject, text, body_to_html(text, subject))
