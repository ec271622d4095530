"""Builders for the awards tests: indicator events and cells as the metrics service sends them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from campaign_awards.domain.standings import Cell
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.envelope import Event
from campaign_contracts.events import (
    DossierAccepted,
    DossierForwarded,
    DossierOpened,
    Figure,
    IndicatorUpdated,
    PeriodKind,
    SubjectKind,
)

CAMPAIGN = load_campaign()
CAMPAIGN_KEY = CAMPAIGN.period.key


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def cell(indicator: str, numerator: int, denominator: int,
         as_of: str = "2024-07-01T10:00:00+07:00") -> Cell:
    return Cell(indicator, numerator, denominator, at(as_of), "2024.1", "cat1")


def update(
    subject: str, indicator: str, numerator: int, denominator: int, *,
    as_of: str = "2024-07-02T08:30:00+07:00", period: str = CAMPAIGN_KEY,
    kind: SubjectKind = SubjectKind.UNIT,
) -> IndicatorUpdated:
    period_kind = (PeriodKind.CAMPAIGN if ".." in period
                   else PeriodKind.WEEK if "W" in period else PeriodKind.MONTH)
    rule = CAMPAIGN.indicator(indicator)
    figure = Figure.of(numerator, denominator)
    return IndicatorUpdated(
        producer="metrics", campaign_id=CAMPAIGN.campaign_id, campaign_version="2024.1",
        catalogue_version="cat1", indicator=indicator, subject_kind=kind, subject_code=subject,
        period_kind=period_kind, period_key=period, figure=figure, previous=None,
        target=rule.target, target_met=figure.meets(rule.target), as_of=at(as_of),
    )


def all_targets(unit: str, as_of: str = "2024-07-02T08:30:00+07:00") -> list[IndicatorUpdated]:
    """A unit meeting K1, K2 and K3 over the campaign period."""
    return [update(unit, "K1", 9, 10, as_of=as_of), update(unit, "K2", 95, 100, as_of=as_of),
            update(unit, "K3", 50, 100, as_of=as_of)]


def dossier_path(unit: str, award_type: str = "giay_khen_giam_doc_so",
                 kind: str = "collective", nominee: str | None = None,
                 upto: str = "forwarded") -> list[Event]:
    """A nomination dossier's events up to acceptance or forwarding to the Council."""
    common = dict(dossier_id=uuid.uuid4(), unit_code=unit, award_type=award_type,
                  nominee_kind=kind, nominee_code=nominee or unit, producer="dossiers")
    events: list[Event] = [
        DossierOpened(sequence=1, campaign_id=CAMPAIGN.campaign_id, campaign_version="2024.1",
                      opened_by=f"unit:{unit}", **common),
        DossierAccepted(sequence=2, reviewed_by="office", **common),
    ]
    if upto == "forwarded":
        events.append(DossierForwarded(sequence=3, forwarded_by="office", **common))
    return events
