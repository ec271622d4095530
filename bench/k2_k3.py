"""K2 and K3 per unit, as the bench's peer and ceiling compute them: plain Python with no import
from this project, so that the Quix Streams peer runs it in a virtualenv of its own.

A record contributes (unit, K2 numerator or -1 when not counted, in K3's denominator, K3
numerator); a re-synced dossier's previous contribution is taken away."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence

Contribution = tuple[str, int, int, int]


def contribution_reader(start: str, end: str, fee_procedures: Collection[str]
                        ) -> Callable[[bytes], tuple[str, Contribution] | None]:
    """(MaHoSo, contribution) of a raw record; None for one that does not read. `start` and
    `end` are the campaign's first and last days as yyyyMMdd."""
    fees = frozenset(fee_procedures)

    def read(value: bytes) -> tuple[str, Contribution] | None:
        try:
            record = json.loads(value or b"")
            received = record.get("NgayTiepNhan") or ""
            counted = (start <= received[:8] <= end
                       and record["TrangThaiHoSo"] not in (1, 3))
            listed = record.get("DanhSachLePhi") or []
            exempt = bool(listed) and all(f["Gia"] == 0 for f in listed)
            return record["MaHoSo"], (
                record["DonViXuLy"],
                int(record["KenhThucHien"] == 2) if counted else -1,
                int(counted and record["MaTTHC"] in fees and not exempt),
                int(record.get("DuocThanhToanTrucTuyen") in (1, 2)))
        except (ValueError, KeyError, TypeError):
            return None

    return read


class UnitTotals:
    """K2 and K3 numerator and denominator per unit."""

    def __init__(self) -> None:
        self.k2: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.k3: dict[str, list[int]] = defaultdict(lambda: [0, 0])

    def add(self, contribution: Sequence[str | int], sign: int) -> None:
        unit, online, fee_bearing, paid = contribution
        assert isinstance(unit, str) and isinstance(online, int)
        if online >= 0:
            cell = self.k2[unit]
            cell[0] += sign * online
            cell[1] += sign
        if fee_bearing:
            cell = self.k3[unit]
            cell[0] += sign * int(paid)
            cell[1] += sign
