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

from dataclasses import dataclass
from datetime import date

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


def usage_cell(use: UsageKey) -> CellKey:
    indicator, kind, code, _procedure, period_kind, period_key = use
    return (indicator, kind, code, period_kind, period_key)


class Contributions:
    """Adds or takes away what a dossier state contributes, under one set of definitions.

    It is the hottest code of the service, so the cell keys of an (indicator, unit, officer,
    day) and the uses of an (indicator, unit, procedure, day) are built once and kept (a few
    thousand of each)."""

    def __init__(self, defs: Definitions) -> None:
        self.defs = defs
        self._dossier_counts = [i for i in defs.indicators if not i.counts_services]
        self._service_counts = [i for i in defs.indicators if i.counts_services]
        self._keys: dict[tuple[str, str, str | None, date], tuple[CellKey, ...]] = {}
        self._uses: dict[tuple[str, str, str, date],
                         tuple[tuple[UsageKey, CellKey | None], ...]] = {}
        self._online: dict[tuple[str, str, str], frozenset[str]] = {}

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

    def _cell_keys(self, indicator: Indicator, unit: str, officer: str | None, day: date
                   ) -> tuple[CellKey, ...]:
        periods = self.defs.periods.keys_of(day)
        if periods is None:  # outside the campaign period
            return ()
        return tuple((indicator.code, k, c, pk, key)
                     for k, c in self._subjects(indicator, unit, officer)
                     for pk, key in periods)

    def _services(self, indicator: Indicator, kind: str, code: str) -> frozenset[str]:
        lookup = (indicator.code, kind, code)
        found = self._online.get(lookup)
        if found is None:
            found = self._online[lookup] = indicator.services(kind, code)
        return found

    def _use_keys(self, indicator: Indicator, unit: str, procedure: str, day: date
                  ) -> tuple[tuple[UsageKey, CellKey | None], ...]:
        """Each use with the cell it can move (None when the procedure is not one of the
        subject's services: counted, but not in the figure)."""
        periods = self.defs.periods.keys_of(day) or ()
        code = indicator.code
        return tuple(
            ((code, k, c, procedure, pk, key),
             (code, k, c, pk, key) if procedure in self._services(indicator, k, c) else None)
            for k, c in self._subjects(indicator, unit, None)
            for pk, key in periods
        )

    def add(self, cells: dict[CellKey, CellChange], uses: dict[UsageKey, int],
            state: DossierState | None, sign: int, at_ms: int, source: str) -> None:
        """Add (sign 1) or take away (sign -1) what `state` contributes; cells it reaches are
        touched by the record at `at_ms` from `source` either way."""
        if state is None:
            return
        for indicator in self._dossier_counts:
            placed = indicator.place(state)
            if placed is None:
                continue
            day, counted = placed
            lookup = (indicator.code, state.unit_code, state.officer, day)
            keys = self._keys.get(lookup)
            if keys is None:
                keys = self._keys[lookup] = self._cell_keys(indicator, state.unit_code,
                                                            state.officer, day)
            numerator = sign if counted else 0
            for key in keys:
                change = cells.get(key)
                if change is None:
                    cells[key] = CellChange(numerator, sign, at_ms, source)
                    continue
                change.numerator += numerator
                change.denominator += sign
                if at_ms >= change.as_of_ms:
                    change.as_of_ms, change.source = at_ms, source
        for indicator in self._service_counts:
            placed = indicator.place(state)
            if placed is None:
                continue
            use_lookup = (indicator.code, state.unit_code, state.procedure_code, placed[0])
            found = self._uses.get(use_lookup)
            if found is None:
                found = self._uses[use_lookup] = self._use_keys(
                    indicator, state.unit_code, state.procedure_code, placed[0])
            for use, cell in found:
                uses[use] = uses.get(use, 0) + sign
                if cell is not None:  # the numerator moves later, when the counter crosses zero
                    change = cells.get(cell)
                    if change is None:
                        cells[cell] = CellChange(0, 0, at_ms, source)
                    elif at_ms >= change.as_of_ms:
                        change.as_of_ms, change.source = at_ms, source

    def is_service(self, use: UsageKey) -> bool:
        """Whether a use's procedure is one of its subject's services (in the figure)."""
        indicator = self.defs.by_code.get(use[0])
        return indicator is not None and use[3] in self._services(indicator, use[1], use[2])
