"""Projects indicator events into standings for every period and both kinds of nominee, emits
StandingUpdated for each standing that changed (with its previous rank and points), and, for
the campaign period, re-judges the candidates and emits CandidateProposed / CandidateWithdrawn —
all in the caller's transaction, so the tracked consumer applies each event exactly once.

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
from campaign_kit.db import upsert
from campaign_kit.outbox import add_to_outbox

KINDS = {SubjectKind.UNIT: "unit", SubjectKind.OFFICER: "officer"}


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
        subject = self._subject(event)
        if subject is None:
            return  # unattributed units and other campaigns enter no standings
        kind = KINDS[event.subject_kind]
        try:
            rule = self.campaign.indicator(event.indicator)
        except KeyError:
            return  # an indicator this campaign file does not score
        known = connection.execute(select(cell_versions.c.id).where(
            cell_versions.c.source_event_id == str(event.event_id))).first()
        if known is not None:
            return  # the same event republished by the metrics outbox
        row = {
            "period_key": event.period_key, "subject_kind": kind,
            "subject_code": subject, "indicator": event.indicator,
            "numerator": event.figure.numerator, "denominator": event.figure.denominator,
            "as_of": event.as_of, "campaign_version": event.campaign_version,
            "catalogue_version": event.catalogue_version, "source_event_id": str(event.event_id),
            "indicator_name": event.indicator_name or rule.name,
            "counted_unit": event.counted_unit,
        }
        connection.execute(cell_versions.insert().values(**row))
        upsert(connection, cells, row, ["period_key", "subject_kind", "subject_code", "indicator"])
        ranked, changed = self._rerank(connection, event, kind)
        if event.period_kind is PeriodKind.CAMPAIGN and self.emit and changed:
            # Candidates are judged on standings alone: when none changed, neither do they.
            if kind == "unit":
                for standing in ranked:
                    self.telemetry.rank.labels(standing.subject.code).set(standing.rank)
                    self.telemetry.points.labels(standing.subject.code).set(
                        float(standing.total_points))
            self.judge_candidates(connection, event)

    def _rerank(self, connection: Connection, cause: IndicatorUpdated, kind: str
                ) -> tuple[list[Standing], bool]:
        """The period's standings of a kind, and whether any of them changed."""
        period_key = cause.period_key
        ranked = rank(self.campaign, kind, current(connection, period_key, kind))  # type: ignore[arg-type]
        c = standings.c
        stored = {r.subject_code: r for r in connection.execute(
            select(standings).where(c.period_key == period_key, c.subject_kind == kind))}
        changed = False
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
            changed = True
            upsert(connection, standings, {
                "period_key": period_key, "subject_kind": kind,
                "subject_code": standing.subject.code, "unit_code": standing.subject.unit_code,
                "rank": standing.rank, "total_points": standing.total_points,
                "targets_met": met, "figures": figures,
                "previous_rank": before.rank if before else None,
                "previous_points": before.total_points if before else None, "as_of": as_of,
            }, ["period_key", "subject_kind", "subject_code"])
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
            add_to_outbox(connection, outbox, self.topic, standing.subject.unit_code, event)
        return ranked, changed

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
