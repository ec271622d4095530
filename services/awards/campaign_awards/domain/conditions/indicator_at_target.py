"""One indicator at or above target with a minimum volume (default of the Giấy khen for
officers: K3 at target on at least 30 fee-bearing dossiers)."""

from __future__ import annotations

from campaign_awards.domain.conditions.base import Context
from campaign_awards.domain.numbers import percent, whole
from campaign_awards.domain.standings import Standing
from campaign_contracts.campaign_file import IndicatorAtTarget
from campaign_contracts.events import ConditionResult


def judge(spec: IndicatorAtTarget, standing: Standing, context: Context) -> ConditionResult:
    cell = standing.indicator(spec.indicator)
    if cell is None:
        return ConditionResult(condition=spec.kind, met=False,
                               detail=f"Không được đo theo {spec.indicator}")
    volume = cell.figure.denominator
    enough = volume >= spec.min_volume
    detail = (
        f"{spec.indicator} {'đạt' if cell.target_met else 'chưa đạt'} {percent(cell.figure.rate)}"
        f" ({'≥' if cell.target_met else '<'} {percent(cell.target)}), {whole(volume)} "
        f"{spec.volume_label} ({'≥' if enough else '<'} {whole(spec.min_volume)})"
    )
    return ConditionResult(condition=spec.kind, met=cell.target_met and enough, detail=detail)
