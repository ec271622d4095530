"""A lean decoder of portal records: just the fields the indicators read, straight from the
JSON, for the hot path of the service (a third of its CPU went into building pydantic models
of every fee and step and parsing each time ~5 times per record).

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
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import from_json

from campaign_contracts.portal_record import LOCAL_TZ, PortalRecord, parse_portal_record
from campaign_metrics.domain.state import DossierState

_CHANNELS = frozenset({1, 2, 3})
_STATUSES = frozenset(range(1, 11))
_PAYMENTS = frozenset({0, 1, 2})
_REQUIRED = ("MaHoSo", "MaTTHC", "DonViXuLy")
_TIMES = ("NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra")
# Names the contract model also accepts for its fields (populate_by_name): the model decides.
_RECORD_NAMES = frozenset({
    "dossier_code", "procedure_code", "procedure_name", "unit_code", "channel", "status",
    "received_at", "due_at", "finished_at", "returned_at", "online_payment", "fees", "steps"})
_FEE_NAMES = frozenset({"name", "code", "collection_method", "amount", "kind"})
_STEP_NAMES = frozenset({"officer", "title", "department", "at", "content"})
_STEP_TEXT = ("NguoiXuLy", "ChucDanh", "PhongBanXuLy", "NoiDungXuLy")


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
        day = date(int(text[0:4]), int(text[4:6]), int(text[6:8]))
        _DAYS[text[:8]] = day
    if text[8:] not in _CLOCK:
        raise _Unusual
    return day


def _time(data: dict[str, Any], field: str) -> str | None:
    """A time field as its 14 digits, None when not set; anything else is unusual."""
    value = data.get(field)
    if value is None or value == "":
        return None
    if type(value) is not str or len(value) != 14 or not value.isdigit() or not value.isascii():
        raise _Unusual
    _day(value)
    return value


def _text(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is not None and type(value) is not str:
        raise _Unusual
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
        except (ValueError, TypeError, KeyError, AttributeError):
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
        data = from_json(raw)
        if type(data) is not dict or not _RECORD_NAMES.isdisjoint(data):
            raise _Unusual
        code, procedure, unit = (data.get(f) for f in _REQUIRED)
        if (type(code) is not str or type(procedure) is not str or type(unit) is not str
                or not code or not procedure or not unit):
            raise _Unusual
        channel, status = data.get("KenhThucHien"), data.get("TrangThaiHoSo")
        payment = data.get("DuocThanhToanTrucTuyen", 0)
        if (type(channel) is not int or channel not in _CHANNELS or type(status) is not int
                or status not in _STATUSES or type(payment) is not int
                or payment not in _PAYMENTS):
            raise _Unusual
        _text(data, "TenTTHC")
        received, due, finished, _returned = (_time(data, f) for f in _TIMES)
        fees = data.get("DanhSachLePhi", [])
        if type(fees) is not list:
            raise _Unusual
        all_zero = True
        for fee in fees:
            if type(fee) is not dict or not _FEE_NAMES.isdisjoint(fee):
                raise _Unusual
            amount: Any = fee.get("Gia")
            kind = type(amount)
            if kind is int:
                pass
            elif kind is float:
                if not math.isfinite(amount):
                    raise _Unusual
            else:
                raise _Unusual
            if amount < 0:
                raise _Unusual
            if amount != 0:
                all_zero = False
            _text(fee, "TenPhiLePhi")
            _text(fee, "MaPhiLePhi")
        steps = data.get("QuaTrinhXuLy", [])
        if type(steps) is not list:
            raise _Unusual
        officer: str | None = None
        earliest: str | None = None
        for step in steps:
            if type(step) is not dict or not _STEP_NAMES.isdisjoint(step):
                raise _Unusual
            for field in _STEP_TEXT:
                _text(step, field)
            at = _time(step, "ThoiDiemXuLy")
            who = step.get("NguoiXuLy")
            # The earliest timed step naming someone; the first of equals (min() keeps it).
            if at is not None and who and (earliest is None or at < earliest):
                earliest, officer = at, who
        return _nfc(code), DossierState(
            unit_code=_nfc(unit), procedure_code=_nfc(procedure), channel=channel,
            status=status, received_on=self._local_day(received), online_payment=payment,
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
