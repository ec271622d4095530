"""Trend charts as inline SVG drawn on the server: no script, no CDN, readable when printed."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from campaign_workspace.formatting import number, percent, short_day

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


@dataclass(frozen=True)
class Series:
    label: str
    days: list[str]          # YYYY-MM-DD
    values: list[Decimal | None]  # None: no value that day (n/a)


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def line_chart(series: Series, *, target: Decimal | None = None, rate: bool = True,
               invert: bool = False, maximum: Decimal | None = None) -> str:
    """One series as a line. Rates are drawn on 0..100%, with the target as a dashed line;
    `invert` draws rank 1 at the top."""
    known = [v for v in series.values if v is not None]
    if not known:
        return ('<p class="empty">Chưa có dữ liệu để vẽ biểu đồ.</p>')
    count = len(series.values)
    low = Decimal(0) if rate else Decimal(1 if invert else 0)
    high = Decimal(1) if rate else max(maximum or max(known), low + 1)
    plot_h = HEIGHT - TOP - BOTTOM

    def y(value: Decimal) -> float:
        share = float((value - low) / (high - low))
        if invert:
            share = 1 - share
        return TOP + plot_h * (1 - share)

    def label(value: Decimal) -> str:
        return percent(value, 0) if rate else number(value)

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(series.label)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(series.label)}</title>"]
    ticks = ([low, (low + high) / 2, high] if rate
             else sorted({low, high, ((low + high) / 2).to_integral_value()}))
    for tick in ticks:
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
                     f'y2="{y(tick):.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
                     f'text-anchor="end">{label(tick)}</text>')
    if target is not None:
        parts.append(f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{y(target):.1f}" y2="{y(target):.1f}"/>')
        parts.append(f'<text class="target-label" x="{WIDTH - RIGHT}" y="{y(target) - 5:.1f}" '
                     f'text-anchor="end">chỉ tiêu {percent(target, 0)}</text>')
    points = [(i, v) for i, v in enumerate(series.values) if v is not None]
    path = " ".join(f"{'M' if n == 0 else 'L'}{_x(i, count):.1f},{y(v):.1f}"
                    for n, (i, v) in enumerate(points))
    parts.append(f'<path class="line" d="{path}"/>')
    last_i, last_v = points[-1]
    parts.append(f'<circle class="dot" cx="{_x(last_i, count):.1f}" cy="{y(last_v):.1f}" r="4"/>')
    parts.append(f'<text class="value" x="{min(_x(last_i, count), WIDTH - RIGHT - 4):.1f}" '
                 f'y="{y(last_v) - 9:.1f}" text-anchor="end">{label(last_v)}</text>')
    for index in sorted({0, count // 2, count - 1}):
        parts.append(f'<text class="axis" x="{_x(index, count):.1f}" y="{HEIGHT - 12}" '
                     f'text-anchor="middle">{short_day(series.days[index])}</text>')
    parts.append("</svg>")
    return "".join(parts)
