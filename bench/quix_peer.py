"""The peer of the metrics service: a Quix Streams application computing K2 and K3 per unit from
the same topic, the way such an application is written — records deserialized from the topic,
each dossier's contribution kept in the application's state store (RocksDB, keyed by the
record key MaHoSo, with its changelog topic), its previous contribution taken away when a
dossier is re-synced, and the per-unit sums kept by the application. It does none of the
service's other work (K1, on-time, officers, months, weeks, the Department, snapshots,
positions, dead letters, events). Quix Streams is a bench extra (`pip install -e .[bench]`)."""

from __future__ import annotations

import time
import uuid
import warnings
from pathlib import Path
from typing import Any

from bench.peer import UnitTotals, contribution_reader


def quix_k2_k3_peer(bootstrap: str, topic: str, count: int, state_dir: Path
                    ) -> tuple[float, float]:
    """(records per second, µs of CPU per record) over `count` records of `topic`, from the
    first record processed to the last (the group join and topic set-up are not counted)."""
    with warnings.catch_warnings():  # a dependency of Quix Streams warns about its own imports
        warnings.simplefilter("ignore")
        from quixstreams import Application, State

    app = Application(
        broker_address=bootstrap, consumer_group=f"quix-peer-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest", state_dir=str(state_dir), loglevel="WARNING",
    )
    source = app.topic(topic, key_deserializer="bytes", value_deserializer="bytes")
    read_record = contribution_reader()
    totals = UnitTotals()
    clock: dict[str, float] = {}

    def contribute(value: bytes, state: State[str, Any]) -> Any:
        if not clock:
            clock.update(wall=time.perf_counter(), cpu=time.process_time())
        found = read_record(value)
        if found is None:
            return None
        _code, new = found
        old = state.get("contribution")
        if old is not None:
            totals.add(old, -1)
        totals.add(new, 1)
        state.set("contribution", list(new))
        return new

    app.dataframe(source).apply(contribute, stateful=True)
    app.run(count=count, collect=False)
    seconds = time.perf_counter() - clock["wall"]
    cpu = time.process_time() - clock["cpu"]
    return count / seconds, cpu / count * 1e6
