"""A demo feed of portal records for the seed campaign's units: dossiers received from June to
December 2024 whose online payment grows as the campaign goes on, re-synced as their status
changes (the latest record wins), with a few malformed records that must be dead-lettered."""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from campaign_contracts.campaign_file import SEED_CATALOGUE, Campaign, seed_path

# How readily each unit's applicants go online and pay online at the start and at the end of
# the campaign (the campaign is meant to raise the second).
PROFILES = {
    "QLVT": (0.85, 0.30, 0.60),
    "VP": (0.70, 0.20, 0.50),
    "KCHT": (0.95, 0.00, 0.00),
    "TTRA": (0.50, 0.10, 0.20),
    "KHTC": (0.60, 0.10, 0.30),
}


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    unit: str
    online: bool


def catalogue_procedures(path: Path | None = None) -> list[Procedure]:
    with (path or seed_path(SEED_CATALOGUE)).open(encoding="utf-8") as handle:
        return [
            Procedure(r["MaTTHC"], r["TenTTHC"], r["DonVi"], r["MucDoDVC"] != "khong")
            for r in csv.DictReader(handle)
        ]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def synced_at_ms(value: bytes, tz: ZoneInfo) -> int:
    """When a portal would have synced this record: the latest time it carries (returned,
    finished, received). The demo sends it as the Kafka timestamp, so that a replay of 2024 in
    2026 keeps 2024 as the figures' time (their history, forecasts and deadlines)."""
    record = json.loads(value)
    stamps = [record.get(f) for f in ("NgayTra", "NgayKetThucXuLy", "NgayTiepNhan")]
    latest = max((t for t in stamps if isinstance(t, str) and len(t) == 14 and t.isdigit()),
                 default=None)
    if latest is None:
        return int(datetime.now(tz).timestamp() * 1000)
    return int(datetime.strptime(latest, "%Y%m%d%H%M%S").replace(tzinfo=tz).timestamp() * 1000)


def demo_feed(campaign: Campaign, count: int, seed: int = 2024) -> Iterator[tuple[str, bytes]]:
    """(MaHoSo, record bytes) pairs; about one in four dossiers is re-synced once."""
    rng = random.Random(seed)
    procedures = catalogue_procedures()
    officers = {u.code: [o.name for o in campaign.officers if o.unit_code == u.code]
                for u in campaign.units}
    days = (campaign.period.end - campaign.period.start).days + 1
    sent = 0
    number = 0
    while sent < count:
        number += 1
        procedure = rng.choice(procedures)
        online_p, pay_start, pay_end = PROFILES.get(procedure.unit, (0.5, 0.1, 0.3))
        day = campaign.period.start + timedelta(days=rng.randrange(days))
        progress = (day - campaign.period.start).days / days
        received = datetime.combine(day, time(7 + rng.randrange(10), rng.randrange(60)))
        online = procedure.online and rng.random() < online_p
        paid = 0
        if rng.random() < pay_start + (pay_end - pay_start) * progress:
            paid = rng.choice([1, 1, 2])
        code = f"{procedure.unit}-{day:%y%m%d}-{number:05}"
        staff = officers.get(procedure.unit) or ["Cán bộ Một cửa"]
        record = {
            "MaHoSo": code, "MaTTHC": procedure.code, "TenTTHC": procedure.name,
            "DonViXuLy": procedure.unit, "KenhThucHien": 2 if online else 1,
            "TrangThaiHoSo": 2, "NgayTiepNhan": _stamp(received),
            "NgayHenTra": _stamp(received + timedelta(days=5)), "DuocThanhToanTrucTuyen": 0,
            "QuaTrinhXuLy": [{
                "NguoiXuLy": rng.choice(staff), "ChucDanh": "Chuyên viên",
                "PhongBanXuLy": "Bộ phận Một cửa", "ThoiDiemXuLy": _stamp(received),
                "NoiDungXuLy": "Tiếp nhận hồ sơ",
            }],
        }
        if rng.random() < 0.25:  # first synced on reception, unpaid; re-synced when returned
            yield code, json.dumps(record, ensure_ascii=False).encode("utf-8")
            sent += 1
        returned = received + timedelta(days=rng.randrange(1, 6))
        record.update(TrangThaiHoSo=10, NgayTra=_stamp(returned), DuocThanhToanTrucTuyen=paid)
        yield code, json.dumps(record, ensure_ascii=False).encode("utf-8")
        sent += 1
        if rng.random() < 0.01:  # a portal bug: a time in the wrong format
            bad_code = f"{code}-LOI"
            bad = dict(record, MaHoSo=bad_code, NgayTiepNhan=received.isoformat())
            yield bad_code, json.dumps(bad, ensure_ascii=False).encode("utf-8")
            sent += 1


