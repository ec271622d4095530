"""Keeps each nominee's figures over the campaign period, as the Form 08 achievement report
quotes them (numerator, denominator, rate against the target, and the definitions used)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, select

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    Figure,
    IndicatorCode,
    IndicatorUpdated,
    PeriodKind,
    SubjectKind,
)
from campaign_dossiers.store import nominee_figures
from campaign_kit.db import as_utc, upsert_many

NOMINEE_KINDS = {SubjectKind.UNIT, SubjectKind.OFFICER}


class NomineeFiguresProjection:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def apply(self, connection: Connection, event: IndicatorUpdated) -> None:
        self.apply_batch(connection, [event])

    def apply_batch(self, connection: Connection, events: Sequence[IndicatorUpdated]) -> None:
        """A nominee's figure is the last that arrived for it: one upsert for the batch."""
        latest: dict[tuple[str, str, str], dict[str, object]] = {}
        for event in events:
            if (event.campaign_id != self.campaign.campaign_id
                    or event.subject_kind not in NOMINEE_KINDS
                    or event.period_kind is not PeriodKind.CAMPAIGN):
                continue
            latest[(event.subject_kind.value, event.subject_code, event.indicator)] = {
                "subject_kind": event.subject_kind.value, "subject_code": event.subject_code,
                "indicator": event.indicator, "numerator": event.figure.numerator,
                "denominator": event.figure.denominator, "target": event.target,
                "target_met": event.target_met, "campaign_version": event.campaign_version,
                "catalogue_version": event.catalogue_version, "as_of": event.as_of,
                "source_event_id": str(event.event_id),
            }
        upsert_many(connection, nominee_figures, list(latest.values()),
                    ["subject_kind", "subject_code", "indicator"])


@dataclass(frozen=True)
class NomineeFigure:
    """One indicator of a nominee over the campaign period, with the definitions behind it."""

    indicator: IndicatorCode
    figure: Figure
    target: Decimal
    target_met: bool
    campaign_version: str
    catalogue_version: str
    as_of: datetime


def figures_of(
    connection: Connection, subject_kind: SubjectKind, subject_code: str
) -> list[NomineeFigure]:
    c = nominee_figures.c
    rows = connection.execute(
        select(nominee_figures).where(
            c.subject_kind == subject_kind.value, c.subject_code == subject_code
        ).order_by(c.indicator)
    ).all()
    return [
        NomineeFigure(
            indicator=row.indicator,
            figure=Figure.of(row.numerator, row.denominator), target=Decimal(row.target),
            target_met=row.target_met, campaign_version=row.campaign_version,
            catalogue_version=row.catalogue_version, as_of=as_utc(row.as_of),
        )
        for row in rows
    ]
