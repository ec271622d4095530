"""The definitions behind every figure: the campaign file (period, time zone, participants, the
indicators it declares) and the procedure catalogue. A figure carries both versions; when
either changes, every figure is recomputed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from campaign_contracts.campaign_file import Campaign
from campaign_metrics.domain.catalogue import Catalogue
from campaign_metrics.domain.indicators import DEPARTMENT, UNIT, Indicator, build_indicators
from campaign_metrics.domain.periods import CampaignPeriods


def campaign_fingerprint(campaign: Campaign) -> str:
    """Hash of what in the campaign file changes a figure, so that an edit made without a new
    version still triggers a recomputation."""
    relevant = campaign.model_dump(
        mode="json", include={"campaign_id", "version", "department_code", "time_zone", "period",
                              "indicators", "units"},
    )
    text = json.dumps(relevant, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Definitions:
    campaign: Campaign
    catalogue: Catalogue
    periods: CampaignPeriods = field(init=False, repr=False)
    participants: frozenset[str] = field(init=False, repr=False)
    """The campaign file's units: the Department figure is their sum (domain.md)."""
    indicators: tuple[Indicator, ...] = field(init=False, repr=False)
    by_code: dict[str, Indicator] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        participants = frozenset(u.code for u in self.campaign.units)
        built = build_indicators(self.campaign.indicators, self.catalogue, participants)
        object.__setattr__(self, "periods", CampaignPeriods(self.campaign.period))
        object.__setattr__(self, "participants", participants)
        object.__setattr__(self, "indicators", tuple(built))
        object.__setattr__(self, "by_code", {i.code: i for i in built})

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

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.by_code)

    def indicator(self, code: str) -> Indicator:
        return self.by_code[code]

    def target(self, code: str) -> Decimal:
        return self.by_code[code].target

    def applicable(self, kind: str) -> list[str]:
        """The campaign's indicators that a subject of this kind has, in the file's order."""
        return [i.code for i in self.indicators if i.applies_to(kind)]

    def denominator_services(self, code: str, kind: str, subject: str) -> int:
        """A service-counting indicator's denominator for a subject (0 for the others)."""
        return len(self.by_code[code].services(kind, subject))

    def always_present(self) -> list[tuple[str, str]]:
        """Subjects whose service-counting cells exist for every period, whether or not a
        dossier came: the Department, the campaign's units and the units of the catalogue."""
        units = sorted(self.participants | self.catalogue.units)
        return [(DEPARTMENT, self.department), *((UNIT, u) for u in units)]
