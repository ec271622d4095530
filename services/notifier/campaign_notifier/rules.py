"""Notification rules: which standing changes a unit hears about, and the Vietnamese text."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import IndicatorStanding, StandingUpdated

TARGET_REACHED = "target_reached"


@dataclass(frozen=True)
class Notice:
    rule: str
    unit_code: str
    indicator: str
    period_key: str
    subject: str
    body: str


def decimal_vi(value: Decimal) -> str:
    """50.00 -> '50,00' (Vietnamese decimal comma)."""
    return f"{value:.2f}".replace(".", ",")


def percent(rate: Decimal) -> str:
    """0.4512 -> '45,12%'."""
    return decimal_vi(rate * 100) + "%"


def _figure_line(cell: IndicatorStanding) -> str:
    figure = cell.figure
    rate = "chưa có số liệu" if figure.rate is None else percent(figure.rate)
    counts = f"{figure.numerator}/{figure.denominator} hồ sơ"
    return f"{rate} ({counts}), chỉ tiêu ≥ {percent(cell.target)}"


def target_reached(campaign: Campaign, event: StandingUpdated) -> list[Notice]:
    """A note for each indicator the unit newly meets over the campaign period."""
    if event.period_key != campaign.period.key:
        return []
    newly = [c for c in event.indicators
             if c.indicator in event.targets_met and c.indicator not in event.previous_targets_met]
    notices = []
    unit_count = len(campaign.units)
    for cell in newly:
        rule = campaign.indicator(cell.indicator)
        subject = f"[Thi đua] {event.unit_name} đã đạt chỉ tiêu {cell.indicator}: {rule.name}"
        body = "\n".join([
            f"Kính gửi: {event.unit_name},",
            "",
            f"Theo số liệu đồng bộ từ Cổng Dịch vụ công, đơn vị đã đạt chỉ tiêu "
            f"{cell.indicator} – {rule.name} của đợt thi đua:",
            f"  • {_figure_line(cell)}",
            f"  • Tổng điểm: {decimal_vi(event.total_points)}; "
            f"xếp hạng {event.rank}/{unit_count} đơn vị.",
            "",
            f"Kỳ tính: {campaign.period.start:%d/%m/%Y} – {campaign.period.end:%d/%m/%Y}.",
            f"Đợt thi đua: {campaign.name}",
            "",
            f"Văn phòng Sở – Thường trực Hội đồng thi đua – khen thưởng, {campaign.issuing_body}.",
        ])
        notices.append(Notice(TARGET_REACHED, event.unit_code, cell.indicator,
                              event.period_key, subject, body))
    return notices
