"""Throughput of the awards projection, measured (not a timed test): prints figures.

    python -m bench.awards_projection [--events 2000] [--database-url sqlite:///...]
                                      [--batches 1,100,500]

Applies a stream of IndicatorUpdated events (the seed campaign's units and officers, over the
campaign, its months and its weeks, figures growing through the campaign) through the tracked
consumer, as the service does, one transaction per event. Baseline in the same run: the same
consumer applying nothing (the transaction and the stored position alone). Then the projection
without the candidates (months and weeks only) and the full projection.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry
from sqlalchemy import Connection

from campaign_awards import store
from campaign_awards.app import INDICATOR_BATCH, AwardsTopics, bootstrap
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import (
    Figure,
    IndicatorUpdated,
    PeriodKind,
    SubjectKind,
    officer_key,
)
from campaign_kit.consumer import ConsumerMetrics, TrackedConsumer
from campaign_kit.db import Database
from campaign_kit.identity import Authenticator, StaticTokens

CAMPAIGN = load_campaign()


def events(count: int, seed: int = 2024) -> list[IndicatorUpdated]:
    rng = random.Random(seed)
    units = [u.code for u in CAMPAIGN.units]
    officers = [officer_key(o.unit_code, o.name) for o in CAMPAIGN.officers]
    start = datetime.fromisoformat("2024-06-01T08:00:00+07:00")
    counts: dict[tuple[str, str, str], tuple[int, int]] = {}
    found = []
    for i in range(count):
        at = start + timedelta(minutes=i * 150)  # through the campaign, in time order
        day = at.date()
        kind = SubjectKind.UNIT if rng.random() < 0.7 else SubjectKind.OFFICER
        subject = rng.choice(units if kind is SubjectKind.UNIT else officers)
        indicator = rng.choice(["K1", "K2", "K3"] if kind is SubjectKind.UNIT else ["K2", "K3"])
        year, week, _ = day.isocalendar()
        period_kind, period = rng.choice([
            (PeriodKind.CAMPAIGN, CAMPAIGN.period.key), (PeriodKind.MONTH, f"{day:%Y-%m}"),
            (PeriodKind.WEEK, f"{year}-W{week:02d}")])
        key = (subject, indicator, period)
        numerator, denominator = counts.get(key, (0, 0))
        denominator += 1
        numerator += rng.random() < 0.5
        counts[key] = (numerator, denominator)
        rule = CAMPAIGN.indicator(indicator)
        figure = Figure.of(numerator, denominator)
        found.append(IndicatorUpdated(
            producer="bench", campaign_id=CAMPAIGN.campaign_id, campaign_version="2024.1",
            catalogue_version="bench", indicator=indicator, subject_kind=kind,
            subject_code=subject, period_kind=period_kind, period_key=period, figure=figure,
            previous=None, target=rule.target, target_met=figure.meets(rule.target), as_of=at))
    return found


Apply = Callable[[Any, Connection, list[IndicatorUpdated]], None]


def _project(projection: Any, connection: Connection, events: list[IndicatorUpdated]) -> None:
    projection.apply_batch(connection, events)


def _step(apply: Apply | None, projection: Any, events: list[IndicatorUpdated]
          ) -> Callable[[Connection, Any], None]:
    def step(connection: Connection, _records: Any) -> None:
        if apply is not None:
            apply(projection, connection, events)
    return step


@dataclass(frozen=True)
class Rate:
    events_per_s: float
    cpu_ms_per_event: float  # this process's CPU (the database's too, for SQLite)

    def __str__(self) -> str:
        return f"{self.events_per_s:,.0f} events/s, {self.cpu_ms_per_event:.2f} ms CPU per event"


def run(url: str, stream: list[IndicatorUpdated], apply: Apply | None, batch: int) -> Rate:
    """Events per second through a tracked consumer into a fresh database, `batch` events per
    transaction (the service applies up to INDICATOR_BATCH as the broker delivers them)."""
    db = Database(url, store.metadata)
    db.drop_schema()
    db.create_schema()
    awards = bootstrap(db, CAMPAIGN, AwardsTopics.of(""),
                       authenticator=Authenticator(StaticTokens({})),
                       registry=CollectorRegistry())
    tracked = TrackedConsumer("bench", db, store.positions, ConsumerMetrics(CollectorRegistry()))
    started, cpu = time.perf_counter(), time.process_time()
    for first in range(0, len(stream), batch):
        events = stream[first:first + batch]
        records: list[ConsumerRecord[bytes, bytes]] = [ConsumerRecord(
            topic="indicators", partition=0, offset=offset, timestamp=0, timestamp_type=0,
            key=None, value=b"", checksum=None, serialized_key_size=0, serialized_value_size=0,
            headers=()) for offset in range(first, first + len(events))]
        tracked.apply_batch(records, _step(apply, awards.projection, events))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.dispose()
    return Rate(len(stream) / elapsed, 1000 * cpu / len(stream))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.awards_projection")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--batches", default=f"1,100,{INDICATOR_BATCH}",
                        help="events per transaction to compare (1: one at a time)")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'awards-bench.db'}"
    stream = events(args.events)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"machine: {os.cpu_count()} CPUs (nproc); load average {load}; database "
          f"{url.split(':', 1)[0]}; {len(stream)} IndicatorUpdated events", flush=True)
    months = [e for e in stream if e.period_kind is not PeriodKind.CAMPAIGN]
    for batch in (int(b) for b in args.batches.split(",")):
        print(f"{batch} event(s) per transaction:", flush=True)
        print(f"  baseline (transaction + stored position only): "
              f"{run(url, stream, None, batch)}", flush=True)
        print(f"  standings of months and weeks (no candidates): "
              f"{run(url, months, _project, batch)}", flush=True)
        print(f"  full projection (a third of the events re-judge the candidates): "
              f"{run(url, stream, _project, batch)}", flush=True)


if __name__ == "__main__":
    main()
