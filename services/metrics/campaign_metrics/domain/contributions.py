"""What one dossier's latest state contributes to the indicator cells, for every indicator the
campaign declares (each says in its own module where a state counts).

A placed dossier adds, for each subject the indicator applies to (its unit; the Department when
the unit takes part; its receiving officer, named by unit and name) and each period of the
indicator's day inside the campaign: 1 to the denominator, and 1 to the numerator when the
indicator says so. An indicator counting services adds one *use* of the dossier's procedure
instead; its numerator moves when the uses of a service cross zero (see cell_store).

Since each record is the dossier's whole state, applying a record is: take away what the
previous state contributed, add what the new one contributes. That makes "the latest record
wins" exact, a re-synced dossier move between cells, and a duplicate change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from campaign_contracts.events import officer_key
from campaign_metrics.domain.definitions import Definitions
from campaign_metrics.domain.indicators import DEPARTMENT, OFFICER, UNIT, Indicator
from campaign_metrics.domain.state import DossierState

CellKey = tuple[str, str, str, str, str]
"""(indicator, subject_kind, subject_code, period_kind, period_key)"""
UsageKey = tuple[str, str, str, str, str, str]
"""(indicator, subject_kind, subject_code, procedure_code, period_kind, period_key)"""


@dataclass(slots=True)
class CellChange:
    """What a batch does to one cell: deltas, and the latest record that touched it."""

    numerator: int = 0
    denominator: int = 0
    as_of_ms: int = -1
    source: str | None = None
    order: int = -1  # of the record in its batch: the later of two at the same time wins


def usage_cell(use: UsageKey) -> CellKey:
    indicator, kind, code, _procedure, period_kind, period_key = use
    return (indicator, kind, code, period_kind, period_key)


class Tally:
    """What a batch of states adds, gathered per (indicator, unit, officer, day) and per
    (indicator, unit, procedure, day) as the records come, and spread over the cells (each
    subject, each period) once per batch: a record then costs one addition per indicator
    instead of one per cell it reaches.

    A record is named by its place in the batch (`order`) and an opaque `source` that
    `spread` turns into text only for the records that end up as a cell's latest."""

    def __init__(self, contributions: Contributions) -> None:
        self.contributions = contributions
        # [numerator, denominator, latest at_ms, its order, its source]
        self.counts: dict[tuple[Indicator, str, str | None, date], list[Any]] = {}
        # [uses, latest at_ms, its order, its source]
        self.uses: dict[tuple[Indicator, str, str, date], list[Any]] = {}

    def add(self, state: DossierState | None, sign: int, at_ms: int, order: int,
            source: object) -> None:
        """Add (sign 1) or take away (sign -1) what `state` contributes; cells it reaches are
        touched by the record either way."""
        if state is None:
            return
        counts = self.counts
        for indicator in self.contributions.dossier_counts:
            placed = indicator.place(state)
            if placed is None:
                continue
            day, counted = placed
            lookup = (indicator, state.unit_code, state.officer, day)
            entry = counts.get(lookup)
            if entry is None:
                counts[lookup] = [sign if counted else 0, sign, at_ms, order, source]
                continue
            if counted:
                entry[0] += sign
            entry[1] += sign
            if at_ms >= entry[2]:
                entry[2], entry[3], entry[4] = at_ms, order, source
        uses = self.uses
        for indicator in self.contributions.service_counts:
            placed = indicator.place(state)
            if placed is None:
                continue
            use_lookup = (indicator, state.unit_code, state.procedure_code, placed[0])
            found = uses.get(use_lookup)
            if found is None:
                uses[use_lookup] = [sign, at_ms, order, source]
                continue
            found[0] += sign
            if at_ms >= found[1]:
                found[1], found[2], found[3] = at_ms, order, source

    def spread(self, source_text: Callable[[Any], str]
               ) -> tuple[dict[CellKey, CellChange], dict[UsageKey, int]]:
        """The batch's change to each cell, and to each use counter (the numerator of a
        service-counting cell moves later, when its counter crosses zero)."""
        cells: dict[CellKey, CellChange] = {}
        winners: dict[CellKey, Any] = {}
        keys_of = self.contributions.cell_keys
        for (indicator, unit, officer, day), entry in self.counts.items():
            numerator, denominator, at_ms, order, source = entry
            for key in keys_of(indicator, unit, officer, day):
                change = cells.get(key)
                if change is None:
                    cells[key] = CellChange(numerator, denominator, at_ms, None, order)
                    winners[key] = source
                    continue
                change.numerator += numerator
                change.denominator += denominator
                if (at_ms, order) > (change.as_of_ms, change.order):
                    change.as_of_ms, change.order = at_ms, order
                    winners[key] = source
        uses: dict[UsageKey, int] = {}
        use_keys_of = self.contributions.use_keys
        for (indicator, unit, procedure, day), found in self.uses.items():
            delta, at_ms, order, source = found
            for use, cell in use_keys_of(indicator, unit, procedure, day):
                uses[use] = uses.get(use, 0) + delta
                if cell is None:  # not one of the subject's services: counted, not in figure
                    continue
                change = cells.get(cell)
                if change is None:
                    cells[cell] = CellChange(0, 0, at_ms, None, order)
                    winners[cell] = source
                elif (at_ms, order) > (change.as_of_ms, change.order):
                    change.as_of_ms, change.order = at_ms, order
                    winners[cell] = source
        texts: dict[int, str] = {}
        for key, change in cells.items():
            text = texts.get(change.order)
            if text is None:
                text = texts[change.order] = source_text(winners[key])
            change.source = text
        return cells, uses


class Contributions:
    """What dossier states contribute, under one set of definitions.

    It is the hottest code of the service, so the cell keys of an (indicator, unit, officer,
    day) and the uses of an (indicator, unit, procedure, day) are built once and kept (a few
    thousand of each)."""

    def __init__(self, defs: Definitions) -> None:
        self.defs = defs
        self.dossier_counts = [i for i in defs.indicators if not i.counts_services]
        self.service_counts = [i for i in defs.indicators if i.counts_services]
        self._keys: dict[tuple[Indicator, str, str | None, date], tuple[CellKey, ...]] = {}
        self._uses: dict[tuple[Indicator, str, str, date],
                         tuple[tuple[UsageKey, CellKey | None], ...]] = {}
        self._online: dict[tuple[str, str, str], frozenset[str]] = {}

    def tally(self) -> Tally:
        return Tally(self)

    def _subjects(self, indicator: Indicator, unit: str, officer: str | None
                  ) -> list[tuple[str, str]]:
        subjects = []
        if indicator.applies_to(UNIT):
            subjects.append((UNIT, unit))
        if indicator.applies_to(DEPARTMENT) and unit in self.defs.participants:
            subjects.append((DEPARTMENT, self.defs.department))
        if officer and indicator.applies_to(OFFICER):
            subjects.append((OFFICER, officer_key(unit, officer)))
        return subjects

    def cell_keys(self, indicator: Indicator, unit: str, officer: str | None, day: date
                  ) -> tuple[CellKey, ...]:
        """The cells a dossier counted by `indicator` reaches: each subject, each period."""
        lookup = (indicator, unit, officer, day)
        keys = self._keys.get(lookup)
        if keys is None:
            periods = self.defs.periods.keys_of(day) or ()  # none outside the campaign
            keys = self._keys[lookup] = tuple(
                (indicator.code, k, c, pk, key)
                for k, c in self._subjects(indicator, unit, officer)
                for pk, key in periods)
        return keys

    def _services(self, indicator: Indicator, kind: str, code: str) -> frozenset[str]:
        lookup = (indicator.code, kind, code)
        found = self._online.get(lookup)
        if found is None:
            found = self._online[lookup] = indicator.services(kind, code)
        return found

    def use_keys(self, indicator: Indicator, unit: str, procedure: str, day: date
                 ) -> tuple[tuple[UsageKey, CellKey | None], ...]:
        """Each use with the cell it can move (None when the procedure is not one of the
        subject's services: counted, but not in the figure)."""
        lookup = (indicator, unit, procedure, day)
        found = self._uses.get(lookup)
        if found is None:
            periods = self.defs.periods.keys_of(day) or ()
            code = indicator.code
            found = self._uses[lookup] = tuple(
                ((code, k, c, procedure, pk, key),
                 (code, k, c, pk, key) if procedure in self._services(indicator, k, c)
                 else None)
                for k, c in self._subjects(indicator, unit, None)
                for pk, key in periods
            )
        return found

    def is_service(self, use: UsageKey) -> bool:
        """Whether a use's procedure is one of its subject's services (in the figure)."""
        indicator = self.defs.by_code.get(use[0])
        return indicator is not None and use[3] in self._services(indicator, use[1], use[2])
