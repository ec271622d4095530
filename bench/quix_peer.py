"""The peer of the metrics service: a Quix Streams application computing K2 and K3 per unit from
the same topic, the way such an application is written — records read from the topic, each
dossier's contribution kept in the application's state store (RocksDB, keyed by the record key
MaHoSo, with its changelog topic), its previous contribution taken away when a dossier is
re-synced, and the per-unit sums kept by the application. It does none of the service's other
work (K1, on-time, officers, months, weeks, the Department, snapshots, positions, dead
letters, events).

Quix Streams pins pydantic below the version this project uses (its documents would change),
so the application runs in a virtualenv of its own, `var/bench/quix-venv`, made on first use
with the `bench` extra's requirement from pyproject.toml. The application itself is the
`__main__` part of this module and imports nothing from the project but bench/k2_k3.py."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tomllib
import uuid
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "var" / "bench" / "quix-venv"


def _quix_python() -> Path:
    """The peer's interpreter, in its virtualenv (made and filled once)."""
    python = VENV / "bin" / "python"
    if not python.exists():
        extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
        wanted = extras["project"]["optional-dependencies"]["bench"]
        clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}  # not this project's venv
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, env=clean)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *wanted], check=True,
                       env=clean, cwd=VENV)
    return python


def quix_k2_k3_peer(bootstrap: str, topic: str, count: int, state_dir: Path
                    ) -> tuple[float, float]:
    """(records per second, µs of CPU per record) of the Quix Streams application over `count`
    records of `topic`, from the first record processed to the last (its start, group join
    and topic set-up are not counted)."""
    from bench.peer import campaign_parameters

    start, end, fees = campaign_parameters()
    done = subprocess.run(
        [str(_quix_python()), "-m", "bench.quix_peer", "--bootstrap", bootstrap, "--topic", topic,
         "--count", str(count), "--state-dir", str(state_dir), "--start", start, "--end", end,
         "--fees", ",".join(fees)],
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, check=True,
        capture_output=True, text=True, timeout=3600,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    return measured["records_per_s"], measured["cpu_us_per_record"]


def run_application(args: argparse.Namespace) -> dict[str, float]:
    with warnings.catch_warnings():  # a dependency of Quix Streams warns about its own imports
        warnings.simplefilter("ignore")
        from quixstreams import Application, State

    from bench.k2_k3 import UnitTotals, contribution_reader

    app = Application(
        broker_address=args.bootstrap, consumer_group=f"quix-peer-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest", state_dir=args.state_dir, loglevel="WARNING",
    )
    source = app.topic(args.topic, key_deserializer="bytes", value_deserializer="bytes")
    read_record = contribution_reader(args.start, args.end, args.fees.split(","))
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
    app.run(count=args.count, collect=False)
    seconds = time.perf_counter() - clock["wall"]
    cpu = time.process_time() - clock["cpu"]
    return {"records_per_s": args.count / seconds,
            "cpu_us_per_record": cpu / args.count * 1e6}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.quix_peer")
    for option in ("--bootstrap", "--topic", "--state-dir", "--start", "--end", "--fees"):
        parser.add_argument(option, required=True)
    parser.add_argument("--count", type=int, required=True)
    print(json.dumps(run_application(parser.parse_args())))
