"""The lean decoder of the hot path agrees with the contract's model on every record: the same
dossier state from a good one, the same reason and detail for a bad one (it hands anything
unusual to the model). Checked on hand-picked edge cases and on random, often broken, JSON."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campaign_contracts.portal_record import RecordRejected, parse_portal_record
from campaign_metrics.adapters.decoder import LeanDecoder
from tests.support.records import encode, portal_record

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def both(raw: bytes, tz: ZoneInfo = TZ) -> tuple[Any, Any]:
    """(what the lean decoder says, what the model says): a state or (reason, detail)."""
    decoder = LeanDecoder(tz)
    try:
        lean: Any = decoder.decode(raw)
    except RecordRejected as rejected:
        lean = (rejected.reason, rejected.detail)
    try:
        model: Any = decoder._of_model(parse_portal_record(raw))
    except RecordRejected as rejected:
        model = (rejected.reason, rejected.detail)
    return lean, model


EDGES: list[dict[str, Any] | bytes] = [
    portal_record("A", officer="Nguyễn Thị Hương", fees=[{"Gia": 0}, {"Gia": 0.0}]),
    portal_record("B", NgayKetThucXuLy="20240709100000", NgayHenTra="20240709100000",
                  status=10),
    portal_record("C", received="20240231083000"),  # 31 February
    portal_record("D", received="20240702243000"),  # hour 24
    portal_record("E", received=" 20240702083000"),  # spaces: the model strips them
    {**portal_record("F"), "NgayTiepNhan": 20240702083000},  # a number: read as text
    portal_record("G", channel=4),
    {**portal_record("H"), "KenhThucHien": "2"},
    portal_record("I", channel=True),
    portal_record("J", status=0),
    portal_record("K", paid=3),
    {**portal_record("L"), "DuocThanhToanTrucTuyen": None},
    portal_record("M", fees=[{"Gia": -1}]),
    portal_record("N", fees=[{"Gia": "5000"}]),
    portal_record("O", fees=[{"TenPhiLePhi": "Lệ phí"}]),
    portal_record("P", fees=None),
    portal_record("Q", QuaTrinhXuLy=[{"NguoiXuLy": "B", "ThoiDiemXuLy": "20240702083000"},
                                     {"NguoiXuLy": "A", "ThoiDiemXuLy": "20240702083000"},
                                     {"NguoiXuLy": "", "ThoiDiemXuLy": "20240701083000"}]),
    portal_record("R", QuaTrinhXuLy=[{"NguoiXuLy": "A", "ThoiDiemXuLy": "2024-07-02"}]),
    portal_record("S", QuaTrinhXuLy=[{"NguoiXuLy": 5, "ThoiDiemXuLy": "20240702083000"}]),
    portal_record("T", unit="Đơn vị".encode().decode()),
    {"MaHoSo": "U", "MaTTHC": "X", "DonViXuLy": "", "KenhThucHien": 2, "TrangThaiHoSo": 2},
    {"MaHoSo": "V", "procedure_code": "X", "DonViXuLy": "VP", "KenhThucHien": 2,
     "TrangThaiHoSo": 2},  # a field by its Python name: the model accepts it
    {"MaHoSo": "W", "MaTTHC": "X", "DonViXuLy": "VP", "KenhThucHien": 2},
    b'{"MaHoSo": "X", "broken"', b"[]", b"null", b"\xff\xfe", b'{"MaHoSo": NaN}',
    portal_record("Y", fees=[{"Gia": 1e400}]),
    portal_record("Z1", fees=[{"Gia": 1000, "amount": 5}]),  # a fee field by its Python name
    portal_record("Z2", QuaTrinhXuLy=[{"officer": "A", "ThoiDiemXuLy": "20240702083000"}]),
    portal_record("Z3", fees=[{"Gia": 10**30}]),
    portal_record("Z4", received="２０２４０７０２０８３０００"),  # digits, but not ASCII ones
    portal_record("Z5", received="20240702０８３０００"),
    b'{"MaHoSo": "Z6\\ud800", "MaTTHC": "X", "DonViXuLy": "VP", "KenhThucHien": 2, '
    b'"TrangThaiHoSo": 2}',  # an escaped lone surrogate
    b'{"MaHoSo": "Z6\xff", "MaTTHC": "X", "DonViXuLy": "VP", "KenhThucHien": 2, '
    b'"TrangThaiHoSo": 2}',  # not UTF-8
    b'{"MaHoSo": "Z7", "MaTTHC": "X", "DonViXuLy": "VP", "KenhThucHien": 2, "KenhThucHien": 1, '
    b'"TrangThaiHoSo": 2}',  # a field twice
]


@pytest.mark.parametrize("item", EDGES)
def test_the_lean_decoder_says_what_the_model_says(item: dict[str, Any] | bytes) -> None:
    raw = item if isinstance(item, bytes) else encode(item)
    lean, model = both(raw)
    assert lean == model


def test_local_days_follow_the_campaign_time_zone() -> None:
    raw = encode(portal_record("Z", received="20240701003000"))  # 30 June 17:30 UTC
    lean, model = both(raw, ZoneInfo("UTC"))
    assert lean == model and lean[1].received_on.isoformat() == "2024-06-30"


VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2, 12), st.floats(-1, 1e6),
                   st.sampled_from(["", "20240702083000", "20241301083000", "2024070208300",
                                    "Nguyễn Thị Hương", "Nguyen Thi Huong", "2"]))


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    record: dict[str, Any] = portal_record(
        draw(st.sampled_from(["H1", "Hồ sơ 1"])),
        fees=draw(st.sampled_from([None, [], [{"Gia": 0}], [{"Gia": 15000}]])),
        officer=draw(st.sampled_from([None, "Vi Văn Thắng"])),
        NgayKetThucXuLy="20240705090000", NgayHenTra="20240706090000")
    for _ in range(draw(st.integers(0, 3))):
        field = draw(st.sampled_from([*sorted(record), "DanhSachLePhi", "QuaTrinhXuLy"]))
        if draw(st.booleans()):
            record.pop(field, None)
        else:
            record[field] = draw(VALUES)
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


@settings(max_examples=400, deadline=None)
@given(raw=mangled())
def test_on_random_records_the_lean_decoder_agrees_with_the_model(raw: bytes) -> None:
    lean, model = both(raw)
    assert lean == model


def test_a_plain_record_never_reaches_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import campaign_metrics.adapters.decoder as decoder

    def refuse(raw: bytes) -> Any:
        raise AssertionError("the slow path was taken")

    monkeypatch.setattr(decoder, "parse_portal_record", refuse)
    code, state = LeanDecoder(TZ).decode(encode(portal_record(
        "Hồ sơ 1", officer="Nguyễn Thị Hương", fees=[{"Gia": 15000, "TenPhiLePhi": "Lệ phí"}])))
    assert (code, state.officer, state.fee_exempt) == ("Hồ sơ 1", "Nguyễn Thị Hương", False)
