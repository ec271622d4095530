"""What one dossier's latest state contributes to the indicator cells: the indicator definitions
(Decision 766/QĐ-TTg formulas, as domain.md states them) in one place.

A dossier counts when it was *received*: NgayTiepNhan is set and TrangThaiHoSo is neither
1 (registered) nor 3 (not accepted). It belongs to the periods of its local reception day, if
that day is inside the campaign period. It then adds, for its unit, the Department and its
receiving officer (the officer of the earliest processing step), in each of its periods:

- K2 (Tỷ lệ hồ sơ xử lý trực tuyến): 1 to the denominator, and 1 to the numerator when it was
  received online (KenhThucHien = 2);
- K3 (Tỷ lệ thanh toán trực tuyến): when fee-bearing — its procedure carries fees in the
  catalogue and its DanhSachLePhi is not a non-empty list of zero amounts — 1 to the
  denominator, and 1 to the numerator when DuocThanhToanTrucTuyen is a counted method;
- K1 (Tỷ lệ DVC phát sinh hồ sơ trực tuyến): a K1 cell counts services, not dossiers, so a
  dossier received online adds one *use* of its procedure (by its unit, and by the Department);
  a service is in K1's numerator while its uses in the period are above zero.

Since each record is the dossier's whole state, applying a record is: take away what the
previous state contributed, add what the new one contributes. That makes "the latest record
wins" exact, a re-synced dossier move between cells, and a duplicate change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from campaign_contracts.events import SubjectKind
from campaign_contracts.portal_record import Channel, DossierStatus, PortalRecord
from campaign_metrics.definitions import Definitions

CellKey = tuple[str, str, str, str, str]
"""(indicator, subject_kind, subject_code, period_kind, period_key)"""
UsageKey = tuple[str, str, str, str, str]
"""(subject_kind, subject_code, procedure_code, period_kind, period_key)"""

_ONLINE = int(Channel.ONLINE)
_NOT_RECEIVED = frozenset({int(DossierStatus.REGISTERED), int(DossierStatus.NOT_ACCEPTED)})
_UNIT = SubjectKind.UNIT.value
_OFFICER = SubjectKind.OFFICER.value
_DEPARTMENT = SubjectKind.DEPARTMENT.value


@dataclass(frozen=True, slots=True)
class DossierState:
    """The facts of a dossier snapshot that the indicators read."""

    unit_code: str
    procedure_code: str
    channel: int
    status: int
    received_on: date | None  # local calendar day of NgayTiepNhan
    online_payment: int
    fee_exempt: bool
    officer: str | None  # receiving officer: the earliest step's NguoiXuLy

    @classmethod
    def of(cls, record: PortalRecord, tz: ZoneInfo) -> DossierState:
        received_at = record.received_at
        return cls(
            unit_code=record.unit_code,
            procedure_code=record.procedure_code,
            channel=int(record.channel),
            status=int(record.status),
            received_on=received_at.astimezone(tz).date() if received_at is not None else None,
            online_payment=int(record.online_payment),
            fee_exempt=record.is_fee_exempt,
            officer=record.receiving_officer,
        )

    @property
    def received(self) -> bool:
        return self.received_on is not None and self.status not in _NOT_RECEIVED


@dataclass(slots=True)
class CellChange:
    """What a batch does to one cell: deltas, and the latest record that touched it."""

    numerator: int = 0
    denominator: int = 0
    as_of_ms: int = -1
    source: str | None = None

    def touch(self, at_ms: int, source: str) -> None:
        if at_ms >= self.as_of_ms:
            self.as_of_ms = at_ms
            self.source = source


@dataclass(frozen=True, slots=True)
class _Keys:
    """The cells one (unit, officer, day) reaches, built once and reused."""

    k2: tuple[CellKey, ...]
    k3: tuple[CellKey, ...]


class Contributions:
    """Adds or takes away what a dossier state contributes, under one set of definitions.

    It is the hottest code of the service, so the cell keys of a (unit, officer, day) and the
    K1 uses of a (unit, procedure, day) are built once and kept (a few thousand of each)."""

    def __init__(self, defs: Definitions) -> None:
        self.defs = defs
        self._k2 = "K2" in defs.indicators
        self._k3 = "K3" in defs.indicators
        self._k1 = "K1" in defs.indicators
        self._fees = defs.catalogue.fee_procedures
        self._paid = defs.counted_payments
        self._keys: dict[tuple[str, str | None, date], _Keys | None] = {}
        self._uses: dict[tuple[str, str, date], tuple[tuple[UsageKey, CellKey | None], ...]] = {}

    def _cell_keys(self, unit: str, officer: str | None, day: date) -> _Keys | None:
        periods = self.defs.periods.keys_of(day)
        if periods is None:  # received outside the campaign period
            return None
        subjects = [(_UNIT, unit), (_DEPARTMENT, self.defs.department)]
        if officer:
            subjects.append((_OFFICER, officer))
        return _Keys(
            k2=tuple(("K2", k, c, pk, key) for k, c in subjects for pk, key in periods),
            k3=tuple(("K3", k, c, pk, key) for k, c in subjects for pk, key in periods),
        )

    def _use_keys(self, unit: str, procedure: str, day: date
                  ) -> tuple[tuple[UsageKey, CellKey | None], ...]:
        """Each use with the K1 cell it can move (None when the procedure is not one of the
        subject's online services: counted, but not in K1)."""
        periods = self.defs.periods.keys_of(day) or ()
        online = self.defs.online_uses
        return tuple(
            ((k, c, procedure, pk, key),
             ("K1", k, c, pk, key) if (k, c, procedure) in online else None)
            for k, c in ((_UNIT, unit), (_DEPARTMENT, self.defs.department))
            for pk, key in periods
        )

    def add(self, cells: dict[CellKey, CellChange], uses: dict[UsageKey, int],
            state: DossierState | None, sign: int, at_ms: int, source: str) -> None:
        """Add (sign 1) or take away (sign -1) what `state` contributes; cells it reaches are
        touched by the record at `at_ms` from `source` either way."""
        if state is None or state.received_on is None or state.status in _NOT_RECEIVED:
            return
        day = state.received_on
        lookup = (state.unit_code, state.officer, day)
        if lookup in self._keys:
            keys = self._keys[lookup]
        else:
            keys = self._keys[lookup] = self._cell_keys(state.unit_code, state.officer, day)
        if keys is None:
            return
        online = state.channel == _ONLINE
        targets: list[tuple[tuple[CellKey, ...], int]] = []
        if self._k2:  # every received dossier; online ones in the numerator
            targets.append((keys.k2, sign if online else 0))
        if self._k3 and not state.fee_exempt and state.procedure_code in self._fees:
            targets.append((keys.k3, sign if state.online_payment in self._paid else 0))
        for cell_keys, numerator in targets:
            for key in cell_keys:
                change = cells.get(key)
                if change is None:
                    cells[key] = CellChange(numerator, sign, at_ms, source)
                    continue
                change.numerator += numerator
                change.denominator += sign
                if at_ms >= change.as_of_ms:
                    change.as_of_ms, change.source = at_ms, source
        if not (self._k1 and online):
            return
        use_lookup = (state.unit_code, state.procedure_code, day)
        if use_lookup not in self._uses:
            self._uses[use_lookup] = self._use_keys(state.unit_code, state.procedure_code, day)
        for use, k1 in self._uses[use_lookup]:
            uses[use] = uses.get(use, 0) + sign
            if k1 is not None:  # K1's numerator moves later, when the counter crosses zero
                change = cells.get(k1)
                if change is None:
                    cells[k1] = CellChange(0, 0, at_ms, source)
                elif at_ms >= change.as_of_ms:
                    change.as_of_ms, change.source = at_ms, source


def k1_cell(use: UsageKey) -> CellKey:
    kind, code, _procedure, period_kind, period_key = use
    return ("K1", kind, code, period_kind, period_key)
