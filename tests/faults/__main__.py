"""python -m tests.faults [--records 60000] [--kills 10] [--seed 2024]: the fault suite as one
command that prints its report (exit status 1 when a figure, a standing or an e-mail differs
from a clean replay of the same log)."""

from __future__ import annotations

import argparse
from pathlib import Path

from tests.faults.scenario import Options, run


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.faults")
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--kills", type=int, default=10, help="kill -9 per service")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--rate", type=float, default=None, help="records/s (default: auto)")
    parser.add_argument("--work", type=Path, default=Path("var/faults"))
    args = parser.parse_args()
    report = run(Options(records=args.records, kills=args.kills, seed=args.seed,
                         rate=args.rate, work=args.work))
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
