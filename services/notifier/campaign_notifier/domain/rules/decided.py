"""Award decided (quyết định khen thưởng): the unit hears the decision number and date; a
revoked decision is told too."""

from __future__ import annotations

from campaign_contracts.campaign_file import Campaign, DecidedRule
from campaign_contracts.envelope import Event
from campaign_contracts.events import AwardDecided, DecisionRevoked, split_officer_key
from campaign_notifier.domain.model import Facts, Notice
from campaign_notifier.domain.rules import Rule


class Decided(Rule):
    name = "decided"

    def __init__(self, settings: DecidedRule, campaign: Campaign) -> None:
        self.campaign = campaign

    def _unit(self, unit_code: str, nominee_kind: str, nominee_code: str) -> str:
        if unit_code:
            return unit_code
        if nominee_kind == "individual" and "/" in nominee_code:
            return split_officer_key(nominee_code)[0]
        return nominee_code

    def on_event(self, event: Event, facts: Facts) -> list[Notice]:
        if isinstance(event, AwardDecided):
            award = self.campaign.award(event.award_type)
            unit = self._unit(event.unit_code, event.nominee_kind, event.nominee_code)
            context = {
                "decision_number": event.decision_number,
                "decision_date": event.decision_date.isoformat(),
                "award_name": event.award_name or (award.name if award else event.award_type),
                "nominee_name": event.nominee_name or event.nominee_code,
                "nominee_kind": event.nominee_kind, "signer": event.signer,
            }
            return [Notice(self.name, "unit", unit, str(event.decision_id), "decided",
                           "decided", context)]
        if isinstance(event, DecisionRevoked):
            award = self.campaign.award(event.award_type)
            unit = self._unit(event.unit_code, event.nominee_kind, event.nominee_code)
            context = {
                "decision_number": event.decision_number,
                "award_name": award.name if award else event.award_type,
                "nominee_name": event.nominee_name or event.nominee_code,
                "reason": event.reason,
            }
            return [Notice(self.name, "unit", unit, str(event.decision_id), "revoked",
                           "decision_revoked", context)]
        return []


RULE = Decided
