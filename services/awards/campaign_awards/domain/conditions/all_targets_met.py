"""Every target met over the campaign period (default of the Giấy khen for collectives)."""

from __future__ import annotations

from campaign_awards.domain.conditions.base import Context
from campaign_awards.domain.numbers import percent
from campaign_awards.domain.standings import Standing
from campaign_contracts.campaign_file import AllTargetsMet
from campaign_contracts.events import ConditionResult


def judge(spec: AllTargetsMet, standing: Standing, context: Context) -> ConditionResult:
    wanted = [i for i in standing.indicators
              if not spec.indicators or i.indicator in spec.indicators]
    missed = [i for i in wanted if not i.target_met]
    shown = "; ".join(
        f"{i.indicator} {percent(i.figure.rate)} ({'≥' if i.target_met else '<'} "
        f"{percent(i.target)})" for i in wanted
    )
    if missed:
        detail = f"Chưa đạt {', '.join(i.indicator for i in missed)}: {shown}"
    else:
        detail = f"Đạt cả {len(wanted)} chỉ tiêu: {shown}"
    return ConditionResult(condition=spec.kind, met=bool(wanted) and not missed, detail=detail)
