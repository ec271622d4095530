"""How figures, dates and names read in a Vietnamese administrative document: thousands with a
dot, decimals with a comma, dates as the decree writes them, indicators by their full names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

from campaign_contracts.campaign_file import Campaign, IndicatorRule


def count(number: int) -> str:
    """1091 -> '1.091'."""
    return f"{number:,}".replace(",", ".")


def percent(rate: Decimal) -> str:
    """0.4580 -> '45,80%'."""
    return f"{rate * 100:.2f}".replace(".", ",") + "%"


def day_month(moment: date) -> tuple[str, str]:
    """Day and month as a date line writes them (Nghị định 30/2020/NĐ-CP: a leading zero for
    days below 10 and for January and February)."""
    day = f"{moment.day:02d}" if moment.day < 10 else str(moment.day)
    month = f"{moment.month:02d}" if moment.month < 3 else str(moment.month)
    return day, month


def date_line(place: str, moment: date | None, year: int) -> str:
    """'Lạng Sơn, ngày 15 tháng 01 năm 2025', or with the day and month left to the signer."""
    if moment is None:
        return f"{place}, ngày      tháng      năm {year}"
    day, month = day_month(moment)
    return f"{place}, ngày {day} tháng {month} năm {moment.year}"


def short_date(moment: date) -> str:
    return f"{moment:%d/%m/%Y}"


def local_time(moment: datetime, campaign: Campaign) -> str:
    return moment.astimezone(campaign.tz).strftime("%H:%M ngày %d/%m/%Y")


def full_name(rule: IndicatorRule | None, fallback: str) -> str:
    """An indicator's name in full (the campaign file's wording), else the name it was given."""
    if rule is not None and rule.wording is not None:
        return rule.wording.full_name
    return rule.name if rule is not None else fallback


def version_in_words(version: str) -> str:
    """'2024.1' -> 'bản số 1 năm 2024' (how people cite a revision), other forms as given."""
    found = re.fullmatch(r"(\d{4})\.(\d+)", version)
    if found:
        return f"bản số {int(found.group(2))} năm {found.group(1)}"
    return f"bản {version}"


def named_indicators(text: str, campaign: Campaign) -> str:
    """A sentence from another service with the campaign's indicator codes replaced by their
    full names ('K3 đạt 47,20%' -> 'Tỷ lệ thanh toán trực tuyến … đạt 47,20%')."""
    for rule in campaign.indicators:
        text = re.sub(rf"\b{re.escape(rule.code)}\b", _in_sentence(full_name(rule, rule.code)),
                      text)
    return text


def _in_sentence(name: str) -> Callable[[re.Match[str]], str]:
    """The name as it stands at the start of a sentence, or in lower case inside one."""
    def replace(match: re.Match[str]) -> str:
        return name if match.start() == 0 else name[0].lower() + name[1:]
    return replace


def campaign_phrase(campaign: Campaign) -> str:
    """The campaign inside a sentence ('đợt thi đua cao điểm “…”'), never 'đợt thi đua Thi đua'."""
    if campaign.documents is not None:
        return campaign.documents.campaign_phrase
    name = campaign.name
    if name.lower().startswith("thi đua"):
        return "đợt " + name[0].lower() + name[1:]
    return f"đợt thi đua {name}"


def ascii_slug(text: str) -> str:
    """'Nguyễn Thị Hương' -> 'Nguyen_Thi_Huong' (for a file name any system accepts)."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return re.sub(r"[^A-Za-z0-9]+", "_", plain).strip("_") or "de_nghi"


def title_lines(title: str) -> str:
    """A title in capitals broken before its first "CỦA", so that a long award name such as
    "… CỦA CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH" never splits a name across two lines."""
    return title.upper().replace(" CỦA ", "\nCỦA ", 1)
