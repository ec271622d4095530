"""A realistic portal feed for the benchmark: DVCQG sync records (DongBoHoSoMC) of the seed
campaign's units and catalogue, about 900 bytes each, with what a real feed carries — re-syncs
of the same dossier as it moves on (the latest wins), dossiers received outside the period,
fee-exempt ones, a few procedures the catalogue lacks and a few malformed records — and a fast
producer that puts them on a topic the way the default partitioner would (key MaHoSo)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner

from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path

START = date(2024, 5, 20)  # a little before the campaign period, to its end and beyond
DAYS = 240
OTHER_OFFICERS = ["Hoàng Thị Lan", "Nông Văn Bình", "Lăng Thị Mai", "Triệu Văn Sơn"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def _catalogue() -> list[dict[str, str]]:
    import csv

    with seed_path(SEED_CATALOGUE).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def records(count: int, seed: int = 2024) -> Iterator[tuple[bytes, bytes]]:
    """(key, value) pairs; about three in ten are re-syncs of a dossier seen shortly before."""
    rng = random.Random(seed)
    campaign = load_campaign()
    rows = _catalogue()
    officers = [o.name for o in campaign.officers] + OTHER_OFFICERS
    open_dossiers: list[dict[str, object]] = []
    number = 0
    for index in range(count):
        if open_dossiers and rng.random() < 0.3:
            record = open_dossiers.pop(rng.randrange(len(open_dossiers)))
            record = dict(record)
            record["TrangThaiHoSo"] = rng.choice([4, 5, 6, 9, 10])
            if record["TrangThaiHoSo"] in (9, 10):
                done = datetime.strptime(str(record["NgayTiepNhan"]), "%Y%m%d%H%M%S")
                done += timedelta(days=rng.randrange(1, 10))
                record["NgayKetThucXuLy"] = _stamp(done)
                record["NgayTra"] = _stamp(done + timedelta(hours=2))
            if rng.random() < 0.5:
                record["DuocThanhToanTrucTuyen"] = rng.choice([0, 1, 2])
        else:
            number += 1
            # Portals sync dossiers as they are received: the reception day moves forward with
            # the feed (a few days of jitter), while re-syncs reach back to older dossiers.
            day = START + timedelta(days=min(DAYS - 1, index * DAYS // count
                                             + rng.randrange(4)))
            record = _new_dossier(rng, number, day, rows, officers)
            if rng.random() < 0.6:
                open_dossiers.append(record)
                if len(open_dossiers) > 5000:
                    open_dossiers.pop(0)
        value = json.dumps(record, ensure_ascii=False).encode("utf-8")
        roll = rng.random()
        if roll < 0.002:
            value = value[: len(value) // 2]  # cut short: invalid JSON
        elif roll < 0.004:
            value = value.replace(b'"NgayTiepNhan": "', b'"NgayTiepNhan": "2024-')  # bad time
        yield str(record["MaHoSo"]).encode("utf-8"), value


def _new_dossier(
    rng: random.Random, number: int, day: date, rows: list[dict[str, str]],
    officers: list[str],
) -> dict[str, object]:
    row = rng.choice(rows)
    procedure, unit = row["MaTTHC"], row["DonVi"]
    if rng.random() < 0.02:
        procedure = f"GTVT.MOI.{rng.randrange(5):02d}"  # newer than the catalogue
    received = datetime.combine(day, time(7 + rng.randrange(10), rng.randrange(60),
                                          rng.randrange(60)))
    online = row["MucDoDVC"] != "khong" and rng.random() < 0.75
    fees: list[dict[str, object]] = []
    if row["CoPhiLePhi"] == "1":
        exempt = rng.random() < 0.05
        fees = [{"TenPhiLePhi": "Lệ phí cấp giấy phép", "MaPhiLePhi": "LP01", "HinhThucThu": 1,
                 "Gia": 0 if exempt else rng.choice([50000, 135000, 200000]),
                 "LoaiPhiLePhi": 2}]
        if rng.random() < 0.3:
            fees.append({"TenPhiLePhi": "Phí thẩm định", "MaPhiLePhi": "PTD01",
                         "HinhThucThu": 1, "Gia": 0 if exempt else 300000, "LoaiPhiLePhi": 1})
    staff = rng.choice(officers)
    steps: list[dict[str, object]] = []
    at = received
    for content in ("Tiếp nhận hồ sơ", "Chuyển xử lý", "Thẩm định hồ sơ",
                    "Trình ký")[: rng.randrange(1, 5)]:
        steps.append({"NguoiXuLy": staff if not steps else rng.choice(officers),
                      "ChucDanh": "Chuyên viên", "PhongBanXuLy": "Bộ phận Một cửa",
                      "ThoiDiemXuLy": _stamp(at), "NoiDungXuLy": content})
        at += timedelta(hours=rng.randrange(1, 30))
    return {
        "MaHoSo": f"{unit}-{day:%y%m%d}-{number:07d}",
        "MaTTHC": procedure, "TenTTHC": row["TenTTHC"], "DonViXuLy": unit,
        "KenhThucHien": 2 if online else rng.choice([1, 1, 3]),
        "TrangThaiHoSo": rng.choice([1, 2, 2, 2, 3, 4]) if rng.random() < 0.2 else 2,
        "NgayTiepNhan": _stamp(received),
        "NgayHenTra": _stamp(received + timedelta(days=rng.randrange(3, 15))),
        "DuocThanhToanTrucTuyen": rng.choice([0, 0, 1, 2]) if fees else 0,
        "ChuHoSo": "Nguyễn Văn An", "SoDienThoaiChuHoSo": "0912345678",
        "DiaChiChuHoSo": "Phường Chi Lăng, Thành phố Lạng Sơn, tỉnh Lạng Sơn",
        "MaDoiTuong": "1", "DanhSachLePhi": fees, "QuaTrinhXuLy": steps,
    }


async def produce(bootstrap: str, topic: str, count: int, partitions: int,
                  seed: int = 2024) -> float:
    """Put `count` feed records on `topic`; returns the seconds it took."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks=1, linger_ms=50,
                                max_batch_size=1024 * 1024, max_request_size=4 * 1024 * 1024)
    await producer.start()
    partitioner = DefaultPartitioner()
    all_partitions = list(range(partitions))
    try:
        batches = {p: producer.create_batch() for p in all_partitions}
        pending = []
        timestamp = 1_719_800_000_000  # the same CreateTime every run: a rebuild is comparable
        for key, value in records(count, seed):
            partition = partitioner(key, all_partitions, all_partitions)
            timestamp += 1
            if batches[partition].append(key=key, value=value, timestamp=timestamp) is None:
                pending.append(await producer.send_batch(batches[partition], topic,
                                                         partition=partition))
                batches[partition] = producer.create_batch()
                batches[partition].append(key=key, value=value, timestamp=timestamp)
                if len(pending) > 64:
                    await asyncio.gather(*pending)
                    pending.clear()
        for partition, batch in batches.items():
            if batch.record_count():
                pending.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return loop.time() - started
