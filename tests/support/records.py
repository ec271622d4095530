"""Builders of portal records and Kafka records for tests."""

from __future__ import annotations

import json
from typing import Any

from aiokafka import ConsumerRecord

BASE_TIME_MS = 1_719_800_000_000  # 2024-07-01


def portal_record(
    code: str, *, unit: str = "QLVT", procedure: str = "GTVT.GPLX.02", channel: int = 2,
    status: int = 4, received: str | None = "20240702083000", paid: int = 0,
    fees: list[dict[str, Any]] | None = None, officer: str | None = None, **extra: Any,
) -> dict[str, Any]:
    """A DVCQG sync record (DongBoHoSoMC) with sensible defaults for a received dossier."""
    record: dict[str, Any] = {
        "MaHoSo": code, "MaTTHC": procedure, "TenTTHC": "Đổi Giấy phép lái xe",
        "DonViXuLy": unit, "KenhThucHien": channel, "TrangThaiHoSo": status,
        "DuocThanhToanTrucTuyen": paid,
    }
    if received is not None:
        record["NgayTiepNhan"] = received
    if fees is not None:
        record["DanhSachLePhi"] = fees
    if officer is not None:
        record["QuaTrinhXuLy"] = [{
            "NguoiXuLy": officer, "ChucDanh": "Chuyên viên", "PhongBanXuLy": "Bộ phận Một cửa",
            "ThoiDiemXuLy": received or "20240702083000", "NoiDungXuLy": "Tiếp nhận hồ sơ",
        }]
    record.update(extra)
    return record


def encode(record: dict[str, Any]) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode("utf-8")


def kafka_record(
    value: bytes, offset: int, *, topic: str = "portal.dossier-records.v1", partition: int = 0,
    key: bytes | None = None,
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic, partition=partition, offset=offset, timestamp=BASE_TIME_MS + offset,
        timestamp_type=0, key=key, value=value, checksum=None, serialized_key_size=0,
        serialized_value_size=len(value), headers=(),
    )
