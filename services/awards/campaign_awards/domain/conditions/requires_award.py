"""The nominee also qualifies for another award (the Bằng khen needs the Giấy khen criteria)."""

from __future__ import annotations

from campaign_awards.domain.conditions.base import Context
from campaign_awards.domain.standings import Standing
from campaign_contracts.campaign_file import RequiresAward
from campaign_contracts.events import ConditionResult


def judge(spec: RequiresAward, standing: Standing, context: Context) -> ConditionResult:
    name = context.award_names.get(spec.award, spec.award)
    met = standing.subject.code in context.qualified.get(spec.award, frozenset())
    detail = f"{'Đủ' if met else 'Chưa đủ'} điều kiện {name}"
    return ConditionResult(condition=spec.kind, met=met, detail=detail)
