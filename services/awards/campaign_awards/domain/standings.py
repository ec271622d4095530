"""Standings (bảng xếp hạng) as in the national service index: each indicator gives full
points when its rate reaches the target, otherwise points × rate / target (n/a gives 0), each
rounded half-up to 0.01; the total is the sum of the rounded points. Equal totals break on the
campaign's tie-break indicator (K3 in the seed): its rate, then its denominator (no rate sorts
below 0%); nominees still equal share a rank (1, 1, 3).

Units are the campaign file's units, every one of them, figures or not; officers (unit and
name together) of those units are ranked on the officer indicators (K2 and K3 in the seed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

from campaign_contracts.campaign_file import Campaign, IndicatorRule
from campaign_contracts.events import Figure, IndicatorStanding, split_officer_key

POINT_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")
NomineeSubject = Literal["unit", "officer"]


@dataclass(frozen=True)
class Cell:
    """One indicator figure of a nominee, with where it came from."""

    indicator: str
    numerator: int
    denominator: int
    as_of: datetime
    campaign_version: str = ""
    catalogue_version: str = ""
    source_event_id: str = ""
    indicator_name: str = ""
    counted_unit: str = ""

    @property
    def figure(self) -> Figure:
        return Figure.of(self.numerator, self.denominator)


@dataclass(frozen=True)
class Subject:
    kind: NomineeSubject
    code: str
    name: str
    unit_code: str


@dataclass(frozen=True)
class Standing:
    subject: Subject
    rank: int
    shared_rank: bool
    total_points: Decimal
    indicators: tuple[IndicatorStanding, ...]
    cells: tuple[Cell, ...]

    @property
    def targets_met(self) -> list[str]:
        return sorted(i.indicator for i in self.indicators if i.target_met)

    def indicator(self, code: str) -> IndicatorStanding | None:
        return next((i for i in self.indicators if i.indicator == code), None)

    @property
    def as_of(self) -> datetime | None:
        return max((c.as_of for c in self.cells), default=None)


def points(figure: Figure, target: Decimal, full_points: Decimal) -> Decimal:
    if figure.denominator == 0:
        return ZERO
    if figure.meets(target):
        return full_points.quantize(POINT_PLACES)
    exact = Fraction(figure.numerator, figure.denominator) / Fraction(target) \
        * Fraction(full_points)
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        POINT_PLACES, ROUND_HALF_UP
    )


def rules_for(campaign: Campaign, kind: NomineeSubject) -> list[IndicatorRule]:
    """The indicators a kind of nominee is measured on, in the campaign file's order."""
    if kind == "unit":
        return list(campaign.indicators)
    wanted = set(campaign.standings.officer_indicators)
    return [r for r in campaign.indicators if r.code in wanted]


def indicator_standing(rule: IndicatorRule, cell: Cell | None) -> IndicatorStanding:
    figure = cell.figure if cell else Figure.of(0, 0)
    return IndicatorStanding(
        indicator=rule.code,
        indicator_name=(cell.indicator_name if cell and cell.indicator_name else rule.name),
        counted_unit=cell.counted_unit if cell else "", figure=figure, target=rule.target,
        target_met=figure.meets(rule.target), points=points(figure, rule.target, rule.points),
    )


def subjects_of(campaign: Campaign, kind: NomineeSubject, seen: Sequence[str]) -> list[Subject]:
    """Who is ranked: every campaign unit; officers seen in the figures whose unit takes part
    (a figure of any other unit is unattributed and enters no standings)."""
    if kind == "unit":
        return [Subject("unit", u.code, u.name, u.code) for u in campaign.units]
    found = []
    for code in sorted(set(seen)):
        try:
            unit_code, name = split_officer_key(code)
        except ValueError:
            continue
        if campaign.unit(unit_code) is not None:
            found.append(Subject("officer", code, name, unit_code))
    return found


def _sort_key(tie_break: str, total: Decimal, cells: Mapping[str, Cell]
              ) -> tuple[Decimal, Fraction, int]:
    cell = cells.get(tie_break)
    rate = Fraction(cell.numerator, cell.denominator) if cell and cell.denominator \
        else Fraction(-1)
    return (-total, -rate, -(cell.denominator if cell else 0))


def rank(
    campaign: Campaign, kind: NomineeSubject, cells: Mapping[str, Mapping[str, Cell]]
) -> list[Standing]:
    """Every nominee of a kind with its points and rank, best first (code order within a
    shared rank, only so that lists read the same every time)."""
    rules = rules_for(campaign, kind)
    tie_break = campaign.standings.tie_break_indicator
    scored = []
    for subject in subjects_of(campaign, kind, list(cells)):
        own = cells.get(subject.code, {})
        indicators = tuple(indicator_standing(rule, own.get(rule.code)) for rule in rules)
        total = sum((i.points for i in indicators), ZERO)
        used = tuple(own[r.code] for r in rules if r.code in own)
        scored.append((_sort_key(tie_break, total, own), subject, total, indicators, used))
    scored.sort(key=lambda s: (s[0], s[1].code))
    keys = [s[0] for s in scored]
    standings = []
    for key, subject, total, indicators, used in scored:
        first = keys.index(key) + 1  # the rank of the first nominee with the same key
        standings.append(Standing(subject, first, keys.count(key) > 1, total, indicators, used))
    return standings
