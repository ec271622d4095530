"""The inbound DVCQG record: accepted as-is, rejected with a reason code, Vietnamese kept NFC."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest

from campaign_contracts.portal_record import (
    LOCAL_TZ,
    RecordRejected,
    RejectReason,
    parse_portal_record,
)
from tests.support.records import encode, portal_record


def test_a_received_online_record_is_accepted_with_local_times() -> None:
    record = parse_portal_record(encode(portal_record("H1", received="20240630235959")))
    assert record.dossier_code == "H1"
    assert record.received_at == datetime(2024, 6, 30, 23, 59, 59, tzinfo=LOCAL_TZ)
    assert record.is_received


@pytest.mark.parametrize("status", [1, 3])
def test_registered_or_not_accepted_dossiers_do_not_count_as_received(status: int) -> None:
    assert not parse_portal_record(encode(portal_record("H1", status=status))).is_received


def test_a_dossier_without_reception_time_is_not_received() -> None:
    assert not parse_portal_record(encode(portal_record("H1", received=None))).is_received


def test_all_zero_fees_make_a_dossier_fee_exempt_but_no_fee_list_does_not() -> None:
    exempt = portal_record("H1", fees=[{"TenPhiLePhi": "Lệ phí", "Gia": 0}])
    assert parse_portal_record(encode(exempt)).is_fee_exempt
    assert not parse_portal_record(encode(portal_record("H2"))).is_fee_exempt
    charged = portal_record("H3", fees=[{"Gia": 0}, {"Gia": 135000}])
    assert not parse_portal_record(encode(charged)).is_fee_exempt


def test_the_receiving_officer_is_the_one_of_the_earliest_step() -> None:
    raw = portal_record("H1", QuaTrinhXuLy=[
        {"NguoiXuLy": "Hoàng Văn Đức", "ThoiDiemXuLy": "20240703090000"},
        {"NguoiXuLy": "Nguyễn Thị Hương", "ThoiDiemXuLy": "20240702080000"},
    ])
    assert parse_portal_record(encode(raw)).receiving_officer == "Nguyễn Thị Hương"


def test_vietnamese_text_is_normalised_to_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
    record = parse_portal_record(encode(portal_record("H1", officer=decomposed)))
    assert record.receiving_officer == "Nguyễn Thị Hương"
    assert unicodedata.is_normalized("NFC", record.receiving_officer or "")


def test_unknown_fields_are_kept_but_ignored() -> None:
    record = parse_portal_record(encode(portal_record("H1", MaDinhDanh="X-1")))
    assert record.model_extra == {"MaDinhDanh": "X-1"}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", RejectReason.INVALID_JSON),
        (b"[1, 2]", RejectReason.INVALID_JSON),
        (b"\xff\xfe", RejectReason.INVALID_JSON),
        (encode({k: v for k, v in portal_record("H1").items() if k != "DonViXuLy"}),
         RejectReason.MISSING_FIELD),
        (encode(portal_record("")), RejectReason.MISSING_FIELD),
        (encode(portal_record("H1", received="2024-07-02")), RejectReason.BAD_TIME),
        (encode(portal_record("H1", received="20241302083000")), RejectReason.BAD_TIME),
        (encode(portal_record("H1", received="20240230083000")), RejectReason.BAD_TIME),
        (encode(portal_record("H1", received="2024070208300٠")), RejectReason.BAD_TIME),
        (encode(portal_record("H1", channel=4)), RejectReason.UNKNOWN_CHANNEL),
        (encode(portal_record("H1", status=11)), RejectReason.UNKNOWN_STATUS),
        (encode(portal_record("H1", fees=[{"Gia": -1}])), RejectReason.NEGATIVE_FEE),
        (encode(portal_record("H1", paid=7)), RejectReason.INVALID_VALUE),
    ],
)
def test_bad_records_are_rejected_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(RecordRejected) as caught:
        parse_portal_record(raw)
    assert caught.value.reason == reason
    assert caught.value.detail
