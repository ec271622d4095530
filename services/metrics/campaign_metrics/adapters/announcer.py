"""Announces changed indicator cells as IndicatorUpdated events, coalesced: a burst of records
marks cells dirty; each flush writes one event per dirty cell whose figure (or definitions)
differs from what was announced last, with that as `previous`. Crash-safe, because dirtiness and
the last announced value live in the cell rows and the events go to the outbox in the same
transaction that clears them."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.envelope import Event
from campaign_contracts.events import (
    Figure,
    IndicatorUpdated,
    PeriodKind,
    SubjectKind,
)
from campaign_kit.db import Database
from campaign_kit.outbox import OutboxRelay, add_many_to_outbox
from campaign_metrics import SERVICE
from campaign_metrics.adapters.projection import record_id
from campaign_metrics.adapters.tables import CELL_KEY, indicator_cells, outbox
from campaign_metrics.adapters.telemetry import MetricsTelemetry
from campaign_metrics.domain.indicators import kinds

log = logging.getLogger(__name__)

_DASHBOARD_KINDS = {SubjectKind.UNIT.value, SubjectKind.DEPARTMENT.value}


def _clear() -> Any:
    c = indicator_cells.c
    return (
        update(indicator_cells)
        .where(*(c[k] == bindparam(f"k_{k}") for k in CELL_KEY))
        .values(dirty=False, emitted_numerator=bindparam("n"), emitted_denominator=bindparam("d"),
                emitted_versions=bindparam("v"))
    )


class IndicatorAnnouncer:
    def __init__(self, campaign: Campaign, topic: str, telemetry: MetricsTelemetry) -> None:
        self.campaign = campaign
        self.topic = topic
        self.telemetry = telemetry
        plugins = kinds()
        # What each indicator counts, for people: the plug-in knows (hồ sơ, dịch vụ).
        self.counted_units = {rule.code: plugins[rule.kind].counted_unit
                              for rule in campaign.indicators if rule.kind in plugins}

    def announce(self, connection: Connection) -> int:
        """Write the events of the dirty cells to the outbox; returns how many."""
        c = indicator_cells.c
        rows = connection.execute(
            select(indicator_cells).where(c.dirty.is_(True))
            .order_by(*(c[k] for k in CELL_KEY)).with_for_update()
        ).all()
        if not rows:
            return 0
        events: list[tuple[str, str | None, Event]] = []
        cleared = []
        for row in rows:
            versions = f"{row.campaign_version}|{row.catalogue_version}"
            cleared.append({**{f"k_{k}": getattr(row, k) for k in CELL_KEY},
                            "n": row.numerator, "d": row.denominator, "v": versions})
            if (row.emitted_numerator, row.emitted_denominator, row.emitted_versions) == (
                    row.numerator, row.denominator, versions):
                continue  # changed and changed back within the window: nothing to say
            events.append((self.topic, row.subject_code, self._event(row)))
        connection.execute(_clear(), cleared)
        add_many_to_outbox(connection, outbox, events)
        self.telemetry.announced.inc(len(events))
        return len(events)

    def _event(self, row: Any) -> IndicatorUpdated:
        figure = Figure.of(row.numerator, row.denominator)
        previous = (None if row.emitted_numerator is None
                    else Figure.of(row.emitted_numerator, row.emitted_denominator))
        indicator = row.indicator
        rule = self.campaign.indicator(indicator)
        target = rule.target
        cause = record_id(row.last_source) if row.last_source else uuid.uuid4()
        if row.period_kind == PeriodKind.CAMPAIGN.value and row.subject_kind in _DASHBOARD_KINDS:
            self.telemetry.show_figure(row.indicator, row.subject_kind, row.subject_code, figure)
        return IndicatorUpdated(
            producer=SERVICE, correlation_id=cause, causation_id=cause,
            campaign_id=self.campaign.campaign_id, campaign_version=row.campaign_version,
            catalogue_version=row.catalogue_version, indicator=indicator,
            indicator_name=rule.name, counted_unit=self.counted_units.get(indicator, ""),
            subject_kind=SubjectKind(row.subject_kind), subject_code=row.subject_code,
            period_kind=PeriodKind(row.period_kind), period_key=row.period_key, figure=figure,
            previous=previous, target=target, target_met=figure.meets(target),
            as_of=datetime.fromtimestamp(row.as_of_ms / 1000, UTC),
        )

    def show_all(self, connection: Connection) -> None:
        """Fill the dashboard gauges from the stored cells (at start)."""
        c = indicator_cells.c
        for row in connection.execute(
            select(c.indicator, c.subject_kind, c.subject_code, c.numerator, c.denominator)
            .where(c.period_kind == PeriodKind.CAMPAIGN.value,
                   c.subject_kind.in_(_DASHBOARD_KINDS))
        ):
            self.telemetry.show_figure(row.indicator, row.subject_kind, row.subject_code,
                                       Figure.of(row.numerator, row.denominator))


class Announcements:
    """Flushes the announcer every window and publishes what it wrote. While the service is
    catching up on a backlog (`behind()`), the window widens to `catch_up_window_s`: the figures
    are moving fast and nobody needs each step, and announcing is a real share of the work
    (one event per changed cell)."""

    def __init__(
        self, db: Database, announcer: IndicatorAnnouncer, relay: OutboxRelay | None,
        window_s: float, catch_up_window_s: float = 10.0,
        behind: Callable[[], bool] | None = None,
    ) -> None:
        self.db = db
        self.announcer = announcer
        self.relay = relay
        self.window_s = window_s
        self.catch_up_window_s = max(catch_up_window_s, window_s)
        self.behind = behind
        self._last = time.monotonic()

    async def flush(self) -> int:
        started = time.perf_counter()
        self._last = time.monotonic()
        with self.db.begin() as connection:
            written = self.announcer.announce(connection)
        self.announcer.telemetry.flush_seconds.observe(time.perf_counter() - started)
        if written and self.relay is not None:
            await self.relay.flush()
        return written

    def _due(self) -> bool:
        if self.behind is None or not self.behind():
            return True
        return time.monotonic() - self._last >= self.catch_up_window_s

    async def run_forever(self) -> None:
        try:
            while True:
                await asyncio.sleep(self.window_s)
                if not self._due():
                    continue
                try:
                    await self.flush()
                except Exception:  # the cells stay dirty: the next window tries again
                    log.exception("announcing indicator changes failed; retrying next window")
        except asyncio.CancelledError:
            try:  # what changed since the last window, before the process goes
                await asyncio.wait_for(self.flush(), timeout=5.0)
            except Exception:
                log.warning("last announcement before shutdown failed; the next start makes it")
            raise
