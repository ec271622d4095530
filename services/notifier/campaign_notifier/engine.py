"""The notifier's flow on one screen: input events update the facts and run the event rules;
the scheduler runs the scheduled rules at their local times. Either way notices become
deliveries in the same transaction, and the sender sends them after the commit."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.envelope import Event
from campaign_contracts.events import (
    AwardDecided,
    CandidateProposed,
    CandidateWithdrawn,
    DecisionRevoked,
    DossierEventBase,
    IndicatorUpdated,
    PortalRecordAccepted,
    StandingUpdated,
)
from campaign_kit.db import Database, as_utc, upsert
from campaign_notifier.clock import Clock
from campaign_notifier.dispatch import Dispatcher
from campaign_notifier.domain.model import Forecast
from campaign_notifier.domain.rules import Rule
from campaign_notifier.domain.schedule import latest_occurrence
from campaign_notifier.facts import FactsProjection, SqlFacts
from campaign_notifier.store import schedule_marks

log = logging.getLogger(__name__)

ForecastSource = Callable[[str], Awaitable[list[Forecast] | None]]
"""unit code -> the awards service's forecast, or None when it has none (yet)."""


class EventHandler:
    """Applies one input event in the consumer's transaction (exactly once by position)."""

    def __init__(self, campaign: Campaign, rules: Sequence[Rule], dispatcher: Dispatcher,
                 campaign_clock: Clock, wall: Clock) -> None:
        self.campaign = campaign
        self.rules = rules
        self.dispatcher = dispatcher
        self.facts = FactsProjection(campaign)
        self.campaign_clock = campaign_clock
        self.wall = wall

    def apply(self, connection: Connection, event: Event) -> None:
        if isinstance(event, IndicatorUpdated):
            self.facts.indicator(connection, event, self.campaign_clock.now())
        elif isinstance(event, StandingUpdated):
            self.facts.standing(connection, event)
        elif isinstance(event, CandidateProposed | CandidateWithdrawn):
            self.facts.candidate(connection, event)
        elif isinstance(event, DossierEventBase):
            self.facts.dossier(connection, event)
        elif isinstance(event, PortalRecordAccepted):
            self.facts.record(connection, event)
            return  # no rule speaks on a single record
        elif not isinstance(event, AwardDecided | DecisionRevoked):
            return
        facts = SqlFacts(connection, self.campaign)
        for rule in self.rules:
            for notice in rule.on_event(event, facts):
                self.dispatcher.enqueue(connection, notice, event, self.wall.now(),
                                        self.campaign_clock.now())

    def apply_records(self, connection: Connection, records: Sequence[Event]) -> None:
        for record in records:
            self.apply(connection, record)


class Scheduler:
    """Runs each scheduled rule at its latest due local time. The mark of the last run is
    stored: after downtime the latest missed occurrence runs once; on the very first start
    nothing was missed, so the mark is set and nothing runs."""

    def __init__(self, db: Database, campaign: Campaign, rules: Sequence[Rule],
                 dispatcher: Dispatcher, campaign_clock: Clock, wall: Clock,
                 forecasts: ForecastSource | None = None) -> None:
        self.db = db
        self.campaign = campaign
        self.rules = [r for r in rules if type(r).occurrences is not Rule.occurrences]
        self.dispatcher = dispatcher
        self.campaign_clock = campaign_clock
        self.wall = wall
        self.forecasts = forecasts

    def _now(self, rule: Rule) -> datetime:
        return (self.wall if rule.follows_system_clock else self.campaign_clock).now()

    def due(self) -> list[tuple[Rule, datetime, datetime]]:
        """(rule, occurrence to run, now) for each rule with an occurrence since its mark."""
        found = []
        with self.db.begin() as connection:
            marks = {r.rule: as_utc(r.last_slot)
                     for r in connection.execute(select(schedule_marks))}
            for rule in self.rules:
                now = self._now(rule)
                mark = marks.get(rule.name)
                if mark is None:
                    upsert(connection, schedule_marks, {"rule": rule.name, "last_slot": now},
                           ["rule"])
                    continue
                slot = latest_occurrence(mark, now, self.campaign.tz, rule.occurrences)
                if slot is not None:
                    found.append((rule, slot, now))
        return found

    async def tick(self) -> int:
        """Run what is due; returns how many deliveries it added."""
        due = self.due()
        if not due:
            return 0
        forecasts: dict[str, list[Forecast] | None] = {}
        if self.forecasts is not None and any(r.wants_forecasts for r, _, _ in due):
            for unit in self.campaign.units:
                forecasts[unit.code] = await self.forecasts(unit.code)
        added = 0
        with self.db.begin() as connection:
            facts = SqlFacts(connection, self.campaign, forecasts)
            for rule, slot, now in due:
                for notice in rule.evaluate(slot, facts):
                    added += self.dispatcher.enqueue(connection, notice, None, self.wall.now(),
                                                     self.campaign_clock.now())
                upsert(connection, schedule_marks, {"rule": rule.name, "last_slot": now},
                       ["rule"])
                log.info("scheduled rule ran", extra={"rule": rule.name,
                                                      "occurrence": slot.isoformat()})
        return added
