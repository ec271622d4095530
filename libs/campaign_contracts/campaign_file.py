"""The campaign file (đợt thi đua): a campaign is data, loaded from YAML, not code.

It holds the period, indicators with targets and points, participants with their contacts,
award types with their criteria and dossier requirements, the dossier deadline and the
notification rules. Text is NFC-normalised on load; `version` travels with every figure.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from campaign_contracts.events import IndicatorCode
from campaign_contracts.text import NfcStr

SEED_CAMPAIGN = "campaign-lang-son-2024.yaml"
SEED_CATALOGUE = "catalogue-lang-son-2024.csv"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Period(_Model):
    start: date = Field(description="First day, inclusive (local calendar day)")
    end: date = Field(description="Last day, inclusive (local calendar day)")

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


class IndicatorRule(_Model):
    code: IndicatorCode
    name: NfcStr
    target: Decimal = Field(gt=0, le=1, description="Target rate, e.g. 0.45 for 45%")
    points: Decimal = Field(ge=0)
    counted_payment_methods: frozenset[int] = Field(
        default=frozenset({1, 2}),
        description="K3 only: DuocThanhToanTrucTuyen values that count as paid online",
    )


class Contact(_Model):
    name: NfcStr
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$")


class Unit(_Model):
    code: NfcStr
    name: NfcStr
    contacts: list[Contact] = Field(default_factory=list)
    webhook_url: str | None = None


class Officer(_Model):
    name: NfcStr
    unit_code: NfcStr
    title: NfcStr | None = None


class DossierRequirement(_Model):
    sets: int = Field(ge=1, description="How many sets of the documents")
    documents: list[str] = Field(min_length=1, description="Document kinds in each set")


# --- award criteria: one typed model per kind of condition; the awards service has one module
# per kind (campaign_awards/domain/conditions/<kind>.py) that judges it.


class AllTargetsMet(_Model):
    """The nominee meets every target it is measured on over the campaign period."""

    kind: Literal["all_targets_met"]
    indicators: list[IndicatorCode] = Field(
        default_factory=list,
        description="Which targets; empty: every indicator the nominee is measured on",
    )


class IndicatorAtTarget(_Model):
    """One indicator at or above its target with a minimum volume in its denominator."""

    kind: Literal["indicator_at_target"]
    indicator: IndicatorCode
    min_volume: int = Field(default=0, ge=0, description="Least denominator, e.g. 30 dossiers")
    volume_label: NfcStr = Field(default="hồ sơ", description="What the denominator counts, "
                                 "for people", examples=["hồ sơ có phí"])


class RequiresAward(_Model):
    """The nominee also qualifies for (or was decided) another award listed before this one."""

    kind: Literal["requires_award"]
    award: str


class TopN(_Model):
    """The nominee ranks in the top N of its kind over the campaign period (shared ranks
    count: two nominees sharing rank 1 are both in the top 1)."""

    kind: Literal["top_n"]
    n: int = Field(ge=1)


AwardCondition = Annotated[
    AllTargetsMet | IndicatorAtTarget | RequiresAward | TopN, Field(discriminator="kind")
]


class AwardCriteria(_Model):
    """Conditions a nominee of each kind must all meet to be proposed; a kind with no
    conditions is never proposed by the system (the Council may still decide it)."""

    collective: list[AwardCondition] = Field(default_factory=list)
    individual: list[AwardCondition] = Field(default_factory=list)
    basis: NfcStr | None = Field(default=None, description="Legal basis of the criteria")

    def of(self, nominee_kind: Literal["collective", "individual"]) -> list[AwardCondition]:
        return self.collective if nominee_kind == "collective" else self.individual


class AwardType(_Model):
    code: str
    name: NfcStr
    nominee_kinds: list[Literal["collective", "individual"]]
    criteria: AwardCriteria = Field(default_factory=AwardCriteria)
    dossier: DossierRequirement
    dossier_by_nominee_kind: dict[Literal["collective", "individual"], DossierRequirement] = Field(
        default_factory=dict,
        description="Where a nominee kind needs other documents than `dossier` says",
    )

    def requirement(self, nominee_kind: Literal["collective", "individual"]) -> DossierRequirement:
        """The documents and sets a nomination of this kind needs."""
        return self.dossier_by_nominee_kind.get(nominee_kind, self.dossier)


class StandingsRules(_Model):
    """Choices about standings and forecasts the national index leaves to the campaign."""

    tie_break_indicator: IndicatorCode = Field(
        default="K3", description="Equal points break on this indicator's rate, then on its "
        "denominator (the campaign's payment indicator)")
    officer_indicators: list[IndicatorCode] = Field(
        default_factory=lambda: ["K2", "K3"],
        description="Indicators officers are measured and ranked on")
    forecast_window_days: int = Field(
        default=14, ge=1, le=90, description="Forecasts extrapolate the pace of this many days")
    numerator_phrases: dict[IndicatorCode, NfcStr] = Field(
        default_factory=dict,
        description="What one more numerator item is, for gap texts: 'cần thêm 12 <phrase>'",
        examples=[{"K3": "hồ sơ thanh toán trực tuyến"}])


class Notifications(_Model):
    reminder_days_before_deadline: list[int] = Field(default_factory=lambda: [14, 7, 3, 1])
    digest: Literal["daily", "weekly", "off"] = "weekly"
    sender: str = "thiduakhenthuong@sgtvt.langson.example"


class Campaign(_Model):
    campaign_id: str
    version: str
    name: NfcStr
    issuing_body: NfcStr
    department_code: NfcStr
    time_zone: str = "Asia/Ho_Chi_Minh"
    period: Period
    dossier_deadline: date = Field(description="Nomination dossiers due by the end of this day")
    indicators: list[IndicatorRule]
    units: list[Unit]
    officers: list[Officer] = Field(default_factory=list)
    document_kinds: dict[str, NfcStr]
    awards: list[AwardType]
    notifications: Notifications = Field(default_factory=Notifications)
    standings: StandingsRules = Field(default_factory=StandingsRules)

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        ZoneInfo(self.time_zone)  # fails on an unknown zone
        codes = [u.code for u in self.units]
        if len(set(codes)) != len(codes):
            raise ValueError("unit codes must be unique")
        for officer in self.officers:
            if officer.unit_code not in codes:
                raise ValueError(f"officer {officer.name} names unknown unit {officer.unit_code}")
        for award in self.awards:
            unknown = set(award.dossier.documents) - set(self.document_kinds)
            if unknown:
                raise ValueError(f"award {award.code} needs unknown documents {sorted(unknown)}")
        return self

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def deadline_end(self) -> datetime:
        """The first instant after the deadline day, local time."""
        return datetime.combine(self.dossier_deadline + timedelta(days=1), time(), self.tz)

    def indicator(self, code: IndicatorCode) -> IndicatorRule:
        for rule in self.indicators:
            if rule.code == code:
                return rule
        raise KeyError(f"campaign {self.campaign_id} has no indicator {code}")

    def unit(self, code: str) -> Unit | None:
        return next((u for u in self.units if u.code == code), None)

    def award(self, code: str) -> AwardType | None:
        return next((a for a in self.awards if a.code == code), None)

    def officer(self, name: str, unit_code: str) -> Officer | None:
        return next(
            (o for o in self.officers if o.name == name and o.unit_code == unit_code), None
        )

    @model_validator(mode="after")
    def _criteria_known(self) -> Campaign:
        codes = {rule.code for rule in self.indicators}
        named = [self.standings.tie_break_indicator, *self.standings.officer_indicators]
        unknown = set(named) - codes
        if unknown:
            raise ValueError(f"standings name unknown indicators {sorted(unknown)}")
        earlier: set[str] = set()
        for award in self.awards:
            for condition in [*award.criteria.collective, *award.criteria.individual]:
                if isinstance(condition, RequiresAward) and condition.award not in earlier:
                    raise ValueError(f"award {award.code} requires {condition.award}, which "
                                     "is not an award listed before it")
                wanted = (set(condition.indicators) if isinstance(condition, AllTargetsMet)
                          else {condition.indicator} if isinstance(condition, IndicatorAtTarget)
                          else set())
                if wanted - codes:
                    raise ValueError(f"award {award.code} names unknown indicators "
                                     f"{sorted(wanted - codes)}")
            earlier.add(award.code)
        return self

    @model_validator(mode="after")
    def _nominee_requirements_known(self) -> Campaign:
        for award in self.awards:
            for kind, requirement in award.dossier_by_nominee_kind.items():
                unknown = set(requirement.documents) - set(self.document_kinds)
                if unknown:
                    raise ValueError(
                        f"award {award.code} ({kind}) needs unknown documents {sorted(unknown)}"
                    )
        return self


def seed_path(name: str) -> Path:
    """Path of a file shipped with the contracts (the seed campaign and catalogue)."""
    return Path(str(resources.files("campaign_contracts") / "seed" / name))


def load_campaign(path: Path | str | None = None) -> Campaign:
    """Load and validate a campaign file; the seed campaign when no path is given."""
    source = Path(path) if path else seed_path(SEED_CAMPAIGN)
    with source.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return Campaign.model_validate(data)
