"""Figures measured by tests (not asserted on), printed at the end of the session."""

from __future__ import annotations

from devkit.infra import ROOT

REPORT = ROOT / "build" / "reports" / "figures.txt"


def report(name: str, value: str) -> None:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a", encoding="utf-8") as handle:
        handle.write(f"{name}: {value}\n")
