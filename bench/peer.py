"""The peer the metrics service is compared with: a plain-Python Kafka consumer that computes
only K2 and K3 per unit over the campaign period (no officers, months, weeks, K1, database,
positions, dead letters or events), keeping each dossier's latest state in a dict and taking
away its previous contribution as the service does. It is what a small stream-processing job
would do; Quix Streams is not installed here, so this stands in for it."""

from __future__ import annotations

import json
import time
from collections import defaultdict

from aiokafka import AIOKafkaConsumer

from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path

State = tuple[str, int, int, bool] | None  # unit, K2 numerator, K3 numerator or -1, counted


def _fee_procedures() -> set[str]:
    import csv

    with seed_path(SEED_CATALOGUE).open(encoding="utf-8") as handle:
        return {row["MaTTHC"] for row in csv.DictReader(handle) if row["CoPhiLePhi"] == "1"}


async def k2_k3_peer(bootstrap: str, topic: str, count: int) -> float:
    """Records per second of the peer over `count` records of `topic`."""
    campaign = load_campaign()
    start, end = (f"{campaign.period.start:%Y%m%d}", f"{campaign.period.end:%Y%m%d}")
    fees = _fee_procedures()
    latest: dict[str, tuple[str, int, int, int]] = {}
    k2: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    k3: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest", max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    await consumer.start()

    def apply(state: tuple[str, int, int, int], sign: int) -> None:
        unit, online, fee_bearing, paid = state
        if online >= 0:
            cell = k2[unit]
            cell[0] += sign * online
            cell[1] += sign
        if fee_bearing:
            cell = k3[unit]
            cell[0] += sign * paid
            cell[1] += sign

    try:
        read = 0
        started = time.perf_counter()
        while read < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for rows in batch.values():
                for message in rows:
                    read += 1
                    try:
                        record = json.loads(message.value or b"")
                        code = record["MaHoSo"]
                        received = record.get("NgayTiepNhan") or ""
                        counted = (received[:8] >= start and received[:8] <= end
                                   and record["TrangThaiHoSo"] not in (1, 3))
                        listed = record.get("DanhSachLePhi") or []
                        exempt = bool(listed) and all(f["Gia"] == 0 for f in listed)
                        state = (record["DonViXuLy"],
                                 int(record["KenhThucHien"] == 2) if counted else -1,
                                 int(counted and record["MaTTHC"] in fees and not exempt),
                                 int(record.get("DuocThanhToanTrucTuyen") in (1, 2)))
                    except (ValueError, KeyError, TypeError):
                        continue
                    old = latest.get(code)
                    if old is not None:
                        apply(old, -1)
                    apply(state, 1)
                    latest[code] = state
        return read / (time.perf_counter() - started)
    finally:
        await consumer.stop()
