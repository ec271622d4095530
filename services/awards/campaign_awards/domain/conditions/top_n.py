"""The nominee ranks in the top N of its kind over the campaign period; a shared rank counts
as that rank, so equal nominees are never split by an arbitrary order."""

from __future__ import annotations

from campaign_awards.domain.conditions.base import Context
from campaign_awards.domain.numbers import decimal
from campaign_awards.domain.standings import Standing
from campaign_contracts.campaign_file import TopN
from campaign_contracts.events import ConditionResult


def judge(spec: TopN, standing: Standing, context: Context) -> ConditionResult:
    met = standing.rank <= spec.n
    shared = " (đồng hạng)" if standing.shared_rank else ""
    detail = (f"Xếp hạng {standing.rank}{shared} với {decimal(standing.total_points)} điểm "
              f"({'trong' if met else 'ngoài'} nhóm {spec.n} đứng đầu)")
    return ConditionResult(condition=spec.kind, met=met, detail=detail)
