"""A dossier's latest state, reduced to the facts the indicators read (one snapshot per MaHoSo;
the latest record replaces the earlier ones)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

RECEIVED_ONLINE = 2  # KenhThucHien: 2 online
NOT_RECEIVED = frozenset({1, 3})  # TrangThaiHoSo: 1 registered, 3 not accepted
PROCESSED = frozenset({9, 10})  # TrangThaiHoSo: 9 processed, 10 result returned


class DossierState(NamedTuple):
    """The facts of a dossier snapshot that the indicators read. A named tuple: made twice per
    record and compared once, it costs a third of a frozen dataclass, and compares in C."""

    unit_code: str
    procedure_code: str
    channel: int  # KenhThucHien
    status: int  # TrangThaiHoSo
    received_on: date | None  # local calendar day of NgayTiepNhan
    online_payment: int  # DuocThanhToanTrucTuyen
    fee_exempt: bool  # DanhSachLePhi listed and every Gia is 0
    officer: str | None  # receiving officer: the earliest step's NguoiXuLy (NFC)
    finished_on: date | None = None  # local calendar day of NgayKetThucXuLy
    finished_in_time: bool | None = None  # NgayKetThucXuLy not after NgayHenTra; None unless both

    @property
    def received(self) -> bool:
        """Counts as received: NgayTiepNhan set, and neither merely registered nor refused."""
        return self.received_on is not None and self.status not in NOT_RECEIVED
