"""What the metrics service is compared with: K2 and K3 per unit over the campaign period (no
officers, months, weeks, K1, on-time, database, positions, dead letters or events), keeping each
dossier's latest contribution and taking it away when the dossier is re-synced, as the service
does. Two programs compute it over the same topic:

- `k2_k3_ceiling`: a plain-Python aiokafka loop with its state in dicts, the least any Python
  program can do for it (a ceiling, not a peer);
- `bench.quix_peer`: a Quix Streams application with the dossiers' contributions in its state
  store (the peer the issue measured).

Both compute with bench/k2_k3.py, so they compute the same figures."""

from __future__ import annotations

import csv
import time

from aiokafka import AIOKafkaConsumer

from bench.k2_k3 import Contribution, UnitTotals, contribution_reader
from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path


def _fee_procedures() -> set[str]:
    with seed_path(SEED_CATALOGUE).open(encoding="utf-8") as handle:
        return {row["MaTTHC"] for row in csv.DictReader(handle) if row["CoPhiLePhi"] == "1"}


def campaign_parameters() -> tuple[str, str, list[str]]:
    """The seed campaign's first and last days (yyyyMMdd) and its fee-bearing procedures."""
    campaign = load_campaign()
    return (f"{campaign.period.start:%Y%m%d}", f"{campaign.period.end:%Y%m%d}",
            sorted(_fee_procedures()))


async def k2_k3_ceiling(bootstrap: str, topic: str, count: int) -> tuple[float, float]:
    """(records per second, µs of CPU per record) of the plain-Python loop over `count`
    records of `topic`."""
    read_record = contribution_reader(*campaign_parameters())
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
