"""Throughput of the awards projection, measured (not a timed test): prints figures.

    python -m bench.awards_projection [--events 2000] [--database-url sqlite:///...]

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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiokafka import ConsumerRecord
from prometheus_client import CollectorRegistry
from sqlalchemy import Connection

from campaign_awards import store
from campaign_awards.app import AwardsTopics, bootstrap
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


Apply = Callable[[Any, Connection, IndicatorUpdated], None]


def _project(projection: Any, connection: Connection, event: IndicatorUpdated) -> None:
    projection.apply(connection, event)


def _step(apply: Apply | None, projection: Any, event: IndicatorUpdated
          ) -> Callable[[Connection, Any], None]:
    def step(connection: Connection, _record: Any) -> None:
        if apply is not None:
            apply(projection, connection, event)
    return step


def run(url: str, stream: list[IndicatorUpdated], apply: Apply | None) -> float:
    """Events per second through a tracked consumer into a fresh database."""
    db = Database(url, store.metadata)
    db.drop_schema()
    db.create_schema()
    awards = bootstrap(db, CAMPAIGN, AwardsTopics.of(""),
                       authenticator=Authenticator(StaticTokens({})),
                       registry=CollectorRegistry())
    tracked = TrackedConsumer("bench", db, store.positions, ConsumerMetrics(CollectorRegistry()))
    started = time.perf_counter()
    for offset, event in enumerate(stream):
        record: ConsumerRecord[bytes, bytes] = ConsumerRecord(
            topic="indicators", partition=0, offset=offset, timestamp=0, timestamp_type=0,
            key=None, value=b"", checksum=None, serialized_key_size=0, serialized_value_size=0,
            headers=())
        tracked.apply(record, _step(apply, awards.projection, event))
    elapsed = time.perf_counter() - started
    db.dispose()
    return len(stream) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.awards_projection")
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'awards-bench.db'}"
    stream = events(args.events)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"machine: {os.cpu_count()} CPUs (nproc); load average {load}; database "
          f"{url.split(':', 1)[0]}; {len(stream)} IndicatorUpdated events", flush=True)
    baseline = run(url, stream, None)
    print(f"baseline (transaction + stored position only): {baseline:,.0f} events/s")
    months = [e for e in stream if e.period_kind is not PeriodKind.CAMPAIGN]
    standings = run(url, months, _project)
    print(f"standings of months and weeks (no candidates): {standings:,.0f} events/s")
    full = run(url, stream, _project)
    print(f"full projection (a third of the events re-judge the candidates): "
          f"{full:,.0f} events/s = {1000 / full:.1f} ms per event")


if __name__ == "__main__":
    main()
