"""Keeps each nominee's figures over the campaign period, as the Form 08 achievement report
quotes them (numerator, denominator, rate against the target, and the definitions used)."""

from __future__ import annotations

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import IndicatorUpdated, PeriodKind, SubjectKind
from campaign_kit.db import upsert
from campaign_dossiers.store import nominee_figures
from sqlalchemy import Connection

NOMINEE_KINDS = {SubjectKind.UNIT, SubjectKind.OFFICER}


class NomineeFiguresProjection:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def apply(self, connection: Connection, event: IndicatorUpdated) -> None:
        if (event.campaign_id != self.campaign.campaign_id
                or event.subject_kind not in NOMINEE_KINDS
                or event.period_kind is not PeriodKind.CAMPAIGN):
            return
        upsert(connection, nominee_figures, {
            "subject_kind": event.subject_kind.value, "subject_code": event.subject_code,
            "indicator": event.indicator.value, "numerator": event.figure.numerator,
            "denominator": event.figure.denominator, "target": event.target,
            "target_met": event.target_met, "campaign_version": event.campaign_version,
            "catalogue_version": event.catalogue_version, "as_of": event.as_of,
            "source_event_id": str(event.event_id),
        }, ["subject_kind", "subject_code", "indicator"])
