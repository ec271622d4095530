"""Projects indicator events into standings for every period and both kinds of nominee, emits
StandingUpdated for each standing that changed (with its previous rank and points), and, for
the campaign period, re-judges the candidates and emits CandidateProposed / CandidateWithdrawn —
all in the caller's transaction, so the tracked consumer applies each event exactly once.

Events come in batches (one transaction with their positions): every figure version is stored,
but each period's standings are ranked, and the candidates judged, once per batch, since that is
what a busy feed costs (a ranking reads the whole period). A standing that changes twice within
a batch is told once, from where it stood before the batch.

While a rebuild replays the log (`emit` off) nothing is published and candidates are not
judged again: they come back from their own topic (see `CandidateLog`), because a candidacy
proposed and later withdrawn depends on the order figures arrived in, which a replay of several
partitions does not repeat.

Time here is always the figures' time (IndicatorUpdated.as_of, the latest portal record behind
a figure), never the wall clock: a rebuild, or a replay of 2024's records in 2026, yields the
same history, the same evaluation times and the same candidates as the first run. Candidates
are judged until the dossier deadline by that same time, and frozen after it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from prometheus_client import CollectorRegistry
from pydantic import RootModel
from sqlalchemy import Connection, select

from campaign_awards import SERVICE
from campaign_awards.domain.candidates import Known, evaluate, reconcile
from campaign_awards.domain.periods import Periods
from campaign_awards.domain.standings import Standing, rank
from campaign_awards.figures import current
from campaign_awards.store import candidates, cell_versions, cells, outbox, standings
from campaign_awards.telemetry import AwardsTelemetry
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.envelope import Event
from campaign_contracts.events import (
    CandidateEvent,
    CandidateEvidence,
    CandidateProposed,
    CandidateWithdrawn,
    IndicatorUpdated,
    PeriodKind,
    StandingUpdated,
    SubjectKind,
    officer_key,
    split_officer_key,
)
from campaign_kit.db import upsert, upsert_many
from campaign_kit.outbox import add_many_to_outbox, add_to_outbox

KINDS = {SubjectKind.UNIT: "unit", SubjectKind.OFFICER: "officer"}
ID_QUERY_CHUNK = 500  # event ids looked up per query (bound parameters stay few)


def fingerprint(standing: Standing) -> str:
    """The figures a standing was computed from; a change in them is a change of standing."""
    return json.dumps([[i.indicator, i.figure.numerator, i.figure.denominator]
                       for i in standing.indicators])


class StandingsProjection:
    def __init__(
        self, campaign: Campaign, standings_topic: str, registry: CollectorRegistry | None = None,
        candidates_topic: str = "", *, telemetry: AwardsTelemetry | None = None,
        emit: bool = True,
    ) -> None:
        self.campaign = campaign
        self.topic = standings_topic
        self.candidates_topic = candidates_topic
        self.periods = Periods(campaign.period.start, campaign.period.end)
        self.telemetry = telemetry or AwardsTelemetry(registry or CollectorRegistry())
        self.emit = emit  # off while a rebuild replays what was published long ago

    def _subject(self, event: IndicatorUpdated) -> str | None:
        """The nominee an event is about, or None when it enters no standings (another
        campaign, a department, an unattributed unit or its officers)."""
        if event.campaign_id != self.campaign.campaign_id or event.subject_kind not in KINDS:
            return None
        if event.period_key not in self.periods.by_key:
            return None
        code = event.subject_code
        if event.subject_kind is SubjectKind.UNIT:
            return code if self.campaign.unit(code) is not None else None
        if "/" not in code:
            # An officer named without its unit (a metrics service older than officer keys):
            # the campaign file tells the unit when exactly one of its officers has that name.
            named = [o for o in self.campaign.officers if o.name == code]
            if len(named) != 1:
                return None
            code = officer_key(named[0].unit_code, code)
        unit_code, _name = split_officer_key(code)
        return code if self.campaign.unit(unit_code) is not None else None

    def apply(self, connection: Connection, event: IndicatorUpdated) -> None:
        self.apply_batch(connection, [event])

    def apply_batch(self, connection: Connection, events: Sequence[IndicatorUpdated]) -> None:
        """Apply events in their order, in the caller's transaction: every figure version is
        kept, and each period's standings are ranked once for the whole batch (so a standing
        that changed twice in it is told once, with its rank before the batch)."""
        for run in self._runs(events):
            self._apply_run(connection, run)

    def _runs(self, events: Sequence[IndicatorUpdated]) -> list[Sequence[IndicatorUpdated]]:
        """The batch cut where the figures' time first reaches the dossier deadline: the
        candidates are judged on the figures before it, as they would have been one event at a
        time, and frozen by the ones after it."""
        deadline = self.campaign.deadline_end
        for i, event in enumerate(events):
            if event.as_of >= deadline:
                return [run for run in (events[:i], events[i:]) if run]
        return [events]

    def _accepted(self, connection: Connection, events: Sequence[IndicatorUpdated]
                  ) -> list[tuple[IndicatorUpdated, str, str, str]]:
        """(event, nominee, kind, indicator name) of the events that enter standings and were
        not applied before (the metrics outbox may publish an event again)."""
        scored = []
        for event in events:
            subject = self._subject(event)
            if subject is None:
                continue  # unattributed units and other campaigns enter no standings
            try:
                rule = self.campaign.indicator(event.indicator)
            except KeyError:
                continue  # an indicator this campaign file does not score
            scored.append((event, subject, KINDS[event.subject_kind],
                           event.indicator_name or rule.name))
        ids = [str(e.event_id) for e, *_ in scored]
        seen: set[str] = set()
        for start in range(0, len(ids), ID_QUERY_CHUNK):
            seen.update(connection.execute(select(cell_versions.c.source_event_id).where(
                cell_versions.c.source_event_id.in_(ids[start:start + ID_QUERY_CHUNK]))
            ).scalars())
        fresh = []
        for found in scored:
            event_id = str(found[0].event_id)
            if event_id not in seen:
                seen.add(event_id)  # twice in one batch counts once too
                fresh.append(found)
        return fresh

    def _apply_run(self, connection: Connection, events: Sequence[IndicatorUpdated]) -> None:
        fresh = self._accepted(connection, events)
        if not fresh:
            return
        rows = [{
            "period_key": event.period_key, "subject_kind": kind,
            "subject_code": subject, "indicator": event.indicator,
            "numerator": event.figure.numerator, "denominator": event.figure.denominator,
            "as_of": event.as_of, "campaign_version": event.campaign_version,
            "catalogue_version": event.catalogue_version, "source_event_id": str(event.event_id),
            "indicator_name": name, "counted_unit": event.counted_unit,
        } for event, subject, kind, name in fresh]
        connection.execute(cell_versions.insert(), rows)
        # A cell holds the last figure that arrived for it, as one upsert per event would.
        latest = {(r["period_key"], r["subject_kind"], r["subject_code"], r["indicator"]): r
                  for r in rows}
        upsert_many(connection, cells, list(latest.values()),
                    ["period_key", "subject_kind", "subject_code", "indicator"])
        # Each period and kind is ranked once, on behalf of its last event in the batch.
        causes: dict[tuple[str, str], IndicatorUpdated] = {}
        for event, _subject, kind, _name in fresh:
            causes.pop((event.period_key, kind), None)
            causes[(event.period_key, kind)] = event
        campaign_cause: IndicatorUpdated | None = None
        outbox_rows: list[tuple[str, str | None, Event]] = []
        for (_period, kind), cause in causes.items():
            ranked, changed = self._rerank(connection, cause, kind, outbox_rows)
            if cause.period_kind is PeriodKind.CAMPAIGN and changed:
                campaign_cause = cause
                if kind == "unit" and self.emit:
                    for standing in ranked:
                        self.telemetry.rank.labels(standing.subject.code).set(standing.rank)
                        self.telemetry.points.labels(standing.subject.code).set(
                            float(standing.total_points))
        add_many_to_outbox(connection, outbox, outbox_rows)
        if campaign_cause is not None and self.emit:
            # Candidates are judged on standings alone: when none changed, neither do they.
            self.judge_candidates(connection, campaign_cause)

    def _rerank(self, connection: Connection, cause: IndicatorUpdated, kind: str,
                outbox_rows: list[tuple[str, str | None, Event]]
                ) -> tuple[list[Standing], bool]:
        """The period's standings of a kind, and whether any of them changed (the changes are
        stored, and their StandingUpdated events added to `outbox_rows`)."""
        period_key = cause.period_key
        ranked = rank(self.campaign, kind, current(connection, period_key, kind))  # type: ignore[arg-type]
        c = standings.c
        stored = {r.subject_code: r for r in connection.execute(
            select(standings).where(c.period_key == period_key, c.subject_kind == kind))}
        changes = []
        for standing in ranked:
            before = stored.get(standing.subject.code)
            figures = fingerprint(standing)
            met = ",".join(standing.targets_met)
            if before is None and not standing.cells:
                continue  # a unit without any figure yet: nothing to tell
            if before is not None and (before.rank, before.total_points, before.targets_met,
                                       before.figures) == (standing.rank, standing.total_points,
                                                           met, figures):
                continue
            as_of = standing.as_of or cause.as_of
            changes.append({
                "period_key": period_key, "subject_kind": kind,
                "subject_code": standing.subject.code, "unit_code": standing.subject.unit_code,
                "rank": standing.rank, "total_points": standing.total_points,
                "targets_met": met, "figures": figures,
                "previous_rank": before.rank if before else None,
                "previous_points": before.total_points if before else None, "as_of": as_of,
            })
            if not self.emit:
                continue
            unit = self.campaign.unit(standing.subject.unit_code)
            event = StandingUpdated.caused_by(
                cause, producer=SERVICE, campaign_id=self.campaign.campaign_id,
                subject_kind=kind, subject_code=standing.subject.code,  # type: ignore[arg-type]
                subject_name=standing.subject.name, period_kind=cause.period_kind,
                period_key=period_key, unit_code=standing.subject.unit_code,
                unit_name=unit.name if unit else standing.subject.unit_code,
                rank=standing.rank, previous_rank=before.rank if before else None,
                total_points=standing.total_points,
                previous_points=before.total_points if before else None,
                indicators=list(standing.indicators), targets_met=standing.targets_met,
                previous_targets_met=[c for c in (before.targets_met if before else "").split(",")
                                      if c],
                as_of=as_of,
            )
            outbox_rows.append((self.topic, standing.subject.unit_code, event))
        upsert_many(connection, standings, changes,
                    ["period_key", "subject_kind", "subject_code"])
        return ranked, bool(changes)

    def judge_candidates(self, connection: Connection, cause: Event | None) -> None:
        """Re-judge every candidacy on the campaign-period standings, until the deadline."""
        key = self.periods.campaign.key
        by_kind = {kind: rank(self.campaign, kind, current(connection, key, kind))  # type: ignore[arg-type]
                   for kind in ("unit", "officer")}
        times = [s.as_of for ranked in by_kind.values() for s in ranked if s.as_of]
        if not times:
            return
        evaluated_at = max(times)
        known = {r.candidate_id: Known(r.status, CandidateEvidence.model_validate_json(
                     r.evidence)) for r in connection.execute(select(candidates))}
        deadline = self.campaign.deadline_end
        if evaluated_at >= deadline and any(k.evidence.evaluated_at < deadline
                                            for k in known.values()):
            # After the deadline the candidacies stand as they were at it. A log that starts
            # after the deadline (a past campaign replayed into a new system) had no state at
            # the deadline to keep, so its figures are judged as they come.
            return
        decided: dict[str, frozenset[str]] = {}
        for candidate_id, state in known.items():
            if state.status == "decided":
                award_type, _kind, code = candidate_id.split(":", 2)
                decided[award_type] = decided.get(award_type, frozenset()) | {code}
        evaluations = evaluate(self.campaign, by_kind, decided)  # type: ignore[arg-type]
        events = reconcile(self.campaign, evaluations, known, key, evaluated_at,
                           producer=SERVICE, cause=cause)
        if not events:
            return
        record_candidates(connection, events)
        if self.emit and self.candidates_topic:
            for event in events:
                add_to_outbox(connection, outbox, self.candidates_topic, event.candidate_id,
                              event)
        self.telemetry.count(connection)


def record_candidates(
    connection: Connection, events: Sequence[CandidateProposed | CandidateWithdrawn]
) -> None:
    for event in events:
        row = connection.execute(select(candidates.c.status).where(
            candidates.c.candidate_id == event.candidate_id)).first()
        if row is not None and row.status == "decided":
            continue  # replayed after its decision: the decision's evidence stands
        upsert(connection, candidates, {
            "candidate_id": event.candidate_id, "award_type": event.award_type,
            "nominee_kind": event.nominee_kind, "nominee_code": event.nominee_code,
            "nominee_name": event.nominee_name, "unit_code": event.unit_code,
            "status": "proposed" if isinstance(event, CandidateProposed) else "withdrawn",
            "evidence": event.evidence.model_dump_json(),
            "withdrawn_reason": event.reason if isinstance(event, CandidateWithdrawn) else "",
        }, ["candidate_id"])


class CandidateMessage(RootModel[CandidateEvent]):
    """Any event of the candidates topic (CandidateProposed or CandidateWithdrawn)."""


class CandidateLog:
    """Applies the candidates topic to the candidates table (a rebuild reads it back)."""

    def apply(self, connection: Connection, message: CandidateMessage) -> None:
        record_candidates(connection, [message.root])
