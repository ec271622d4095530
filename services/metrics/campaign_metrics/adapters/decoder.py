"""A lean decoder of portal records: just the fields the indicators read, for the hot path of
the service (a third of its CPU went into building pydantic models of every fee and step and
parsing each time ~5 times per record).

msgspec reads the JSON straight into small typed structs of only those fields (the rest of a
record, its owner's name and address, is skipped without being built) and checks their JSON
types in C; what is left in Python is the checks JSON types cannot say (times, fees).

It never decides alone that a record is bad, and it accepts only what the contract model
accepts: whenever a record is anything but plainly well-formed (a field of another type, a
missing or unknown value, a time that is not 14 digits, a field given by its Python name,
anything unusual) it hands the record to `parse_portal_record`, which accepts it the same way
or rejects it with the reason and detail every dead letter has always carried. So every
validation rule and dead-letter reason stays the contract's; this module only makes the
common case cheap."""

from __future__ import annotations

import math
import unicodedata
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec
from msgspec import UNSET, UnsetType

from campaign_contracts.portal_record import LOCAL_TZ, PortalRecord, parse_portal_record
from campaign_metrics.domain.state import DossierState

# A field given by its Python name (the model's populate_by_name accepts it): typed as "never
# present", so that msgspec refuses the record and the model decides.
_Absent = UnsetType


class _Fee(msgspec.Struct):
    Gia: int | float  # the portal's field names, as sent
    TenPhiLePhi: str | None = None
    MaPhiLePhi: str | None = None
    name: _Absent = UNSET
    code: _Absent = UNSET
    collection_method: _Absent = UNSET
    amount: _Absent = UNSET
    kind: _Absent = UNSET


class _Step(msgspec.Struct):
    NguoiXuLy: str | None = None
    ChucDanh: str | None = None
    PhongBanXuLy: str | None = None
    ThoiDiemXuLy: str | None = None
    NoiDungXuLy: str | None = None
    officer: _Absent = UNSET
    title: _Absent = UNSET
    department: _Absent = UNSET
    at: _Absent = UNSET
    content: _Absent = UNSET


class _Record(msgspec.Struct):
    MaHoSo: str
    MaTTHC: str
    DonViXuLy: str
    KenhThucHien: Literal[1, 2, 3]
    TrangThaiHoSo: Literal[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    DuocThanhToanTrucTuyen: Literal[0, 1, 2] = 0
    TenTTHC: str | None = None
    NgayTiepNhan: str | None = None
    NgayHenTra: str | None = None
    NgayKetThucXuLy: str | None = None
    NgayTra: str | None = None
    DanhSachLePhi: list[_Fee] = []  # msgspec copies a mutable default per record
    QuaTrinhXuLy: list[_Step] = []
    dossier_code: _Absent = UNSET
    procedure_code: _Absent = UNSET
    procedure_name: _Absent = UNSET
    unit_code: _Absent = UNSET
    channel: _Absent = UNSET
    status: _Absent = UNSET
    received_at: _Absent = UNSET
    due_at: _Absent = UNSET
    finished_at: _Absent = UNSET
    returned_at: _Absent = UNSET
    online_payment: _Absent = UNSET
    fees: _Absent = UNSET
    steps: _Absent = UNSET


_read_record = msgspec.json.Decoder(_Record).decode


class _Unusual(Exception):
    """Not plainly well-formed: the contract model decides."""


def _nfc(text: str) -> str:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


_DAYS: dict[str, date] = {}
# Every valid HHmmss of a day: one set lookup instead of three conversions per time.
_CLOCK = frozenset(f"{h:02d}{m:02d}{sec:02d}" for h in range(24) for m in range(60)
                   for sec in range(60))


def _day(text: str) -> date:
    """The calendar day of a `yyyyMMddHHmmss` string, checked as the contract checks it
    (datetime() refuses 31 February or hour 24 alike). Days are few: they are cached."""
    day = _DAYS.get(text[:8])
    if day is None:
        if len(_DAYS) > 50_000:
            _DAYS.clear()
        if not text.isascii() or not text.isdigit():
            raise _Unusual
        day = date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
        _DAYS[text[:8]] = day
    if text[8:] not in _CLOCK:
        raise _Unusual
    return day


def _time(value: str | None) -> str | None:
    """A time field as its 14 digits, None when not set; anything else is unusual. (The day
    cache holds only 8-digit keys and the clock only 6-digit ones, so a text that passes both
    lookups with 14 characters is 14 ASCII digits.) Called ~6 times per record: inlined."""
    if not value:
        return None
    if len(value) != 14 or value[8:] not in _CLOCK:
        raise _Unusual
    if value[:8] not in _DAYS:
        _day(value)
    return value


class LeanDecoder:
    """Decodes the portal records of one campaign (its time zone gives the local days)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._local = getattr(tz, "key", None) == getattr(LOCAL_TZ, "key", "")

    def decode(self, raw: bytes) -> tuple[str, DossierState]:
        """(MaHoSo, state); raises RecordRejected exactly as `parse_portal_record` does."""
        try:
            return self._fast(raw)
        except _Unusual:
            return self._of_model(parse_portal_record(raw))
        except (msgspec.DecodeError, msgspec.ValidationError, ValueError, TypeError):
            return self._of_model(parse_portal_record(raw))

    def _local_day(self, text: str | None) -> date | None:
        if text is None:
            return None
        if self._local:
            return _day(text)
        moment = datetime(int(text[0:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]),
                          int(text[10:12]), int(text[12:14]), tzinfo=LOCAL_TZ)
        return moment.astimezone(self.tz).date()

    def _fast(self, raw: bytes) -> tuple[str, DossierState]:
        record = _read_record(raw)
        code, procedure, unit = record.MaHoSo, record.MaTTHC, record.DonViXuLy
        if not code or not procedure or not unit:
            raise _Unusual
        received = _time(record.NgayTiepNhan)
        due = _time(record.NgayHenTra)
        finished = _time(record.NgayKetThucXuLy)
        _time(record.NgayTra)
        fees = record.DanhSachLePhi
        all_zero = True
        for fee in fees:
            amount = fee.Gia
            if amount < 0 or (type(amount) is float and not math.isfinite(amount)):
                raise _Unusual
            if amount != 0:
                all_zero = False
        officer: str | None = None
        earliest: str | None = None
        for step in record.QuaTrinhXuLy:
            at = _time(step.ThoiDiemXuLy)
            who = step.NguoiXuLy
            # The earliest timed step naming someone; the first of equals (min() keeps it).
            if at is not None and who and (earliest is None or at < earliest):
                earliest, officer = at, who
        return _nfc(code), DossierState(
            unit_code=_nfc(unit), procedure_code=_nfc(procedure), channel=record.KenhThucHien,
            status=record.TrangThaiHoSo, received_on=self._local_day(received),
            online_payment=record.DuocThanhToanTrucTuyen,
            fee_exempt=bool(fees) and all_zero,
            officer=_nfc(officer) if officer is not None else None,
            finished_on=self._local_day(finished),
            # Same zone, same fixed width: the text order is the time order.
            finished_in_time=(finished <= due
                              if finished is not None and due is not None else None),
        )

    def _of_model(self, record: PortalRecord) -> tuple[str, DossierState]:
        tz = self.tz
        received_at, finished_at, due_at = record.received_at, record.finished_at, record.due_at
        return record.dossier_code, DossierState(
            unit_code=record.unit_code,
            procedure_code=record.procedure_code,
            channel=int(record.channel),
            status=int(record.status),
            received_on=received_at.astimezone(tz).date() if received_at is not None else None,
            online_payment=int(record.online_payment),
            fee_exempt=record.is_fee_exempt,
            officer=record.receiving_officer,
            finished_on=finished_at.astimezone(tz).date() if finished_at is not None else None,
            finished_in_time=(finished_at <= due_at
                              if finished_at is not None and due_at is not None else None),
        )
