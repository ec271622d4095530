"""What a Form 08 is drafted from: the candidate's frozen evidence when the awards service has
judged the nominee for the award (proposed or withdrawn), else the latest measured figures; and
where the nominee stands, for the rule on drafting (domain/eligibility.py)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection

from campaign_contracts.campaign_file import AwardType, Campaign, IndicatorAtTarget
from campaign_contracts.events import IndicatorStanding, SubjectKind, officer_key
from campaign_dossiers.awards_view import candidacy, subject_key
from campaign_dossiers.documents.form08 import Basis, Nominee
from campaign_dossiers.documents.wording import named_indicators
from campaign_dossiers.domain.eligibility import Standing
from campaign_dossiers.figures import NomineeFigure, figures_of


def basis_and_standing(
    connection: Connection, campaign: Campaign, award: AwardType, nominee: Nominee
) -> tuple[Basis, Standing | None]:
    nomination = nominee.nomination
    key = subject_key(nomination.nominee_kind, nominee.unit.code, nomination.nominee_code)
    found = candidacy(connection, award.code, nomination.nominee_kind, key)
    if found is not None:
        evidence = found.evidence
        codes = frozenset(f.indicator for f in evidence.figures)
        basis = Basis(
            figures=list(evidence.figures), conditions=list(evidence.conditions),
            campaign_version=evidence.campaign_version,
            catalogue_version=evidence.catalogue_version, as_of=evidence.evaluated_at,
            applicable=codes or None,
        )
        unmet = tuple(named_indicators(c.detail, campaign) for c in evidence.conditions
                      if not c.met)
        return basis, Standing(found.proposed, unmet, found.reason)
    return _measured(connection, campaign, award, nominee), None


def _measured(
    connection: Connection, campaign: Campaign, award: AwardType, nominee: Nominee
) -> Basis:
    if nominee.officer is None:
        figures = figures_of(connection, SubjectKind.UNIT, nominee.unit.code)
        applicable = None
    else:
        figures = (figures_of(connection, SubjectKind.OFFICER,
                              officer_key(nominee.unit.code, nominee.officer.name))
                   or figures_of(connection, SubjectKind.OFFICER, nominee.officer.name))
        # The indicators the award's individual conditions name are the ones that apply.
        named = {c.indicator for c in award.criteria.individual
                 if isinstance(c, IndicatorAtTarget)}
        applicable = frozenset(named) if named else None
    return Basis(
        figures=[_standing(f, campaign) for f in figures], conditions=[],
        campaign_version=max((f.campaign_version for f in figures), default=campaign.version),
        catalogue_version=max((f.catalogue_version for f in figures), default=""),
        as_of=max((f.as_of for f in figures), default=None), applicable=applicable,
    )


def _standing(measured: NomineeFigure, campaign: Campaign) -> IndicatorStanding:
    try:
        name = campaign.indicator(measured.indicator).name
    except KeyError:
        name = measured.indicator
    return IndicatorStanding(indicator=measured.indicator, indicator_name=name,
                             figure=measured.figure, target=measured.target,
                             target_met=measured.target_met, points=Decimal(0))
