"""What the metrics service is compared with: K2 and K3 per unit over the campaign period (no
officers, months, weeks, K1, on-time, database, positions, dead letters or events), keeping each
dossier's latest contribution and taking it away when the dossier is re-synced, as the service
does. Two programs compute it over the same topic:

- `k2_k3_ceiling`: a plain-Python aiokafka loop with its state in dicts, the least any Python
  program can do for it (a ceiling, not a peer);
- `bench.quix_peer`: a Quix Streams application with the dossiers' contributions in its state
  store (the peer the issue measured).

Both read records with `contribution`, so they compute the same figures."""

from __future__ import annotations

import csv
import json
import time
from collections import defaultdict
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer

from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path

Contribution = tuple[str, int, int, int]
"""unit, K2 numerator (-1: not counted), in K3's denominator, K3 numerator."""


def _fee_procedures() -> set[str]:
    with seed_path(SEED_CATALOGUE).open(encoding="utf-8") as handle:
        return {row["MaTTHC"] for row in csv.DictReader(handle) if row["CoPhiLePhi"] == "1"}


def contribution_reader() -> Callable[[bytes], tuple[str, Contribution] | None]:
    """(MaHoSo, contribution) of a raw record; None for one that does not read."""
    campaign = load_campaign()
    start, end = (f"{campaign.period.start:%Y%m%d}", f"{campaign.period.end:%Y%m%d}")
    fees = _fee_procedures()

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

    def add(self, contribution: Contribution | list[int | str], sign: int) -> None:
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


async def k2_k3_ceiling(bootstrap: str, topic: str, count: int) -> tuple[float, float]:
    """(records per second, µs of CPU per record) of the plain-Python loop over `count`
    records of `topic`."""
    read_record = contribution_reader()
    latest: dict[str, Contribution] = {}
    totals = UnitTotals()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest", max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    await consumer.start()
    try:
        read = 0
        started, cpu = time.perf_counter(), time.process_time()
        while read < count:
            batch = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for rows in batch.values():
                for message in rows:
                    read += 1
                    found = read_record(message.value or b"")
                    if found is None:
                        continue
                    code, state = found
                    old = latest.get(code)
                    if old is not None:
                        totals.add(old, -1)
                    totals.add(state, 1)
                    latest[code] = state
        seconds = time.perf_counter() - started
        return read / seconds, (time.process_time() - cpu) / read * 1e6
    finally:
        await consumer.stop()
