"""The definitions behind every figure: the campaign file (period, time zone, department,
indicators and their targets, counted payment methods) and the procedure catalogue. A figure
carries both versions; when either changes, every figure is recomputed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import SubjectKind
from campaign_metrics.catalogue import Catalogue
from campaign_metrics.periods import CampaignPeriods


def campaign_fingerprint(campaign: Campaign) -> str:
    """Hash of what in the campaign file changes a figure, so that an edit made without a new
    version still triggers a recomputation."""
    relevant = campaign.model_dump(
        mode="json", include={"campaign_id", "version", "department_code", "time_zone", "period",
                              "indicators"},
    )
    text = json.dumps(relevant, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Definitions:
    campaign: Campaign
    catalogue: Catalogue
    periods: CampaignPeriods = field(init=False, repr=False)
    counted_payments: frozenset[int] = field(init=False, repr=False)
    indicators: frozenset[str] = field(init=False, repr=False)
    online_uses: frozenset[tuple[str, str, str]] = field(init=False, repr=False)
    """(subject_kind, subject_code, procedure) of every online service, units and Department."""

    def __post_init__(self) -> None:
        codes = {rule.code for rule in self.campaign.indicators}
        counted = (self.campaign.indicator("K3").counted_payment_methods
                   if "K3" in codes else frozenset())
        object.__setattr__(self, "periods", CampaignPeriods(self.campaign.period))
        object.__setattr__(self, "counted_payments", frozenset(counted))
        object.__setattr__(self, "indicators", frozenset(codes))
        unit, department = SubjectKind.UNIT.value, SubjectKind.DEPARTMENT.value
        object.__setattr__(self, "online_uses", frozenset(
            [(unit, u, p) for u, ps in self.catalogue.online_by_unit.items() for p in ps]
            + [(department, self.department, p) for p in self.catalogue.online_procedures]
        ))

    @property
    def department(self) -> str:
        return self.campaign.department_code

    @property
    def campaign_version(self) -> str:
        return self.campaign.version

    @property
    def catalogue_version(self) -> str:
        return self.catalogue.version

    @property
    def versions(self) -> str:
        """Both versions in one string, to tell whether a figure was emitted under them."""
        return f"{self.campaign.version}|{self.catalogue.version}"

    def target(self, indicator: str) -> Decimal:
        return self.campaign.indicator(indicator).target

    def applicable(self, kind: SubjectKind) -> list[str]:
        """The campaign's indicators that a subject of this kind has. K1 counts a unit's online
        services; an officer offers none, so an officer has no K1."""
        return [
            rule.code for rule in self.campaign.indicators
            if not (kind is SubjectKind.OFFICER and rule.code == "K1")
        ]

    def online_services(self, kind: str, code: str) -> frozenset[str]:
        """K1's denominator: the unit's online services; for the Department, every online
        service in the catalogue (distinct MaTTHC)."""
        if kind == SubjectKind.UNIT.value:
            return self.catalogue.online_services(code)
        if kind == SubjectKind.DEPARTMENT.value:
            return self.catalogue.online_procedures
        return frozenset()

    def k1_subjects(self) -> list[tuple[str, str]]:
        """Subjects whose K1 cells exist for every period, whether or not a dossier came: the
        Department, the campaign's units and the units of the catalogue."""
        units = sorted({u.code for u in self.campaign.units} | self.catalogue.units)
        return [(SubjectKind.DEPARTMENT.value, self.department),
                *((SubjectKind.UNIT.value, u) for u in units)]
