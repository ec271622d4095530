"""Award conditions, one module per kind, all behind one interface (`base.Condition`): a new
kind is one module, its typed model in the campaign file, and one line here."""

from __future__ import annotations

from campaign_awards.domain.conditions import (
    all_targets_met,
    indicator_at_target,
    requires_award,
    top_n,
)
from campaign_awards.domain.conditions.base import Condition, Context
from campaign_awards.domain.standings import Standing
from campaign_contracts.campaign_file import AwardCondition
from campaign_contracts.events import ConditionResult

JUDGES: dict[str, Condition] = {
    "all_targets_met": all_targets_met.judge,
    "indicator_at_target": indicator_at_target.judge,
    "requires_award": requires_award.judge,
    "top_n": top_n.judge,
}


def judge(spec: AwardCondition, standing: Standing, context: Context) -> ConditionResult:
    return JUDGES[spec.kind](spec, standing, context)


__all__ = ["JUDGES", "Condition", "Context", "judge"]
