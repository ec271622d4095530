"""Nomination dossier received, returned (with what is missing and the Office's findings) and
accepted: the unit hears of each step of its dossier, once."""

from __future__ import annotations

from typing import Any

from campaign_contracts.campaign_file import Campaign, DossierStatusRule
from campaign_contracts.envelope import Event
from campaign_contracts.events import (
    DossierAccepted,
    DossierEventBase,
    DossierReturned,
    DossierSubmitted,
)
from campaign_notifier.domain.model import Facts, Notice
from campaign_notifier.domain.rules import Rule

TEMPLATES: dict[type[Event], str] = {
    DossierSubmitted: "dossier_received", DossierReturned: "dossier_returned",
    DossierAccepted: "dossier_accepted",
}


class DossierStatus(Rule):
    name = "dossier_status"

    def __init__(self, settings: DossierStatusRule, campaign: Campaign) -> None:
        self.campaign = campaign

    def on_event(self, event: Event, facts: Facts) -> list[Notice]:
        template = TEMPLATES.get(type(event))
        if template is None or not isinstance(event, DossierEventBase):
            return []
        award = self.campaign.award(event.award_type)
        context: dict[str, Any] = {
            "dossier_id": str(event.dossier_id),
            "award_name": award.name if award else event.award_type,
            "nominee_kind": event.nominee_kind,
            "nominee_name": self._nominee_name(event),
        }
        if isinstance(event, DossierReturned):
            context["sets"] = award.requirement(event.nominee_kind).sets if award else 1
            context["findings"] = [
                {"document": self._document(f.document_kind), "set_number": f.set_number,
                 "note": f.note}
                for f in event.findings
            ]
            context["missing"] = self._missing(event, facts)
        if isinstance(event, DossierAccepted):
            context["note"] = event.note or ""
        return [Notice(self.name, "unit", event.unit_code, str(event.dossier_id),
                       f"{event.event_type}:{event.sequence}", template, context)]

    def _nominee_name(self, event: DossierEventBase) -> str:
        if event.nominee_kind == "collective":
            unit = self.campaign.unit(event.nominee_code)
            return unit.name if unit else event.nominee_code
        return event.nominee_code

    def _document(self, kind: str | None) -> str:
        if kind is None:
            return ""
        return self.campaign.document_kinds.get(kind, kind)

    def _missing(self, event: DossierEventBase, facts: Facts) -> list[str]:
        """Documents the award needs that the dossier does not hold, by set."""
        award = self.campaign.award(event.award_type)
        if award is None:
            return []
        requirement = award.requirement(event.nominee_kind)
        held = facts.attached(str(event.dossier_id))
        missing = []
        for number in range(1, requirement.sets + 1):
            for kind in requirement.documents:
                if (number, kind) not in held:
                    label = self._document(kind)
                    missing.append(f"{label} (bộ {number})" if requirement.sets > 1 else label)
        return missing


RULE = DossierStatus
