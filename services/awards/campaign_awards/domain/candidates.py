"""Candidates (đối tượng đề nghị khen thưởng) the system proposes; only the Council decides.

Every award type's conditions are judged, in the campaign file's order (so that "requires
another award" sees that award's result), on each nominee's campaign-period standing. A nominee
that meets them all is proposed with the evidence frozen (figures with their versions and
source events, rank, the conditions in words, the figures' time); proposed again when that
evidence changes while it still qualifies; withdrawn when it no longer does. A decided nominee
is never re-judged: its candidacy stays as the Council saw it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from campaign_awards.domain.conditions import Context, judge
from campaign_awards.domain.standings import NomineeSubject, Standing
from campaign_contracts.campaign_file import AwardType, Campaign
from campaign_contracts.envelope import Event
from campaign_contracts.events import (
    CandidateEvidence,
    CandidateProposed,
    CandidateWithdrawn,
    ConditionResult,
)

NomineeKind = Literal["collective", "individual"]
SUBJECT_OF: dict[NomineeKind, NomineeSubject] = {"collective": "unit", "individual": "officer"}
KIND_OF: dict[NomineeSubject, NomineeKind] = {"unit": "collective", "officer": "individual"}


def candidate_id(award_type: str, nominee_kind: str, nominee_code: str) -> str:
    return f"{award_type}:{nominee_kind}:{nominee_code}"


@dataclass(frozen=True)
class Evaluation:
    award: AwardType
    nominee_kind: NomineeKind
    standing: Standing
    results: tuple[ConditionResult, ...]

    @property
    def qualified(self) -> bool:
        return bool(self.results) and all(r.met for r in self.results)

    @property
    def candidate_id(self) -> str:
        return candidate_id(self.award.code, self.nominee_kind, self.standing.subject.code)


def evaluate(
    campaign: Campaign, standings: Mapping[NomineeSubject, Sequence[Standing]],
    decided: Mapping[str, frozenset[str]],
) -> list[Evaluation]:
    """Judge every award type's conditions on every nominee of the kinds it is for."""
    names = {a.code: a.name for a in campaign.awards}
    qualified: dict[str, set[str]] = {a.code: set(decided.get(a.code, ())) for a in campaign.awards}
    evaluations = []
    for award in campaign.awards:
        for nominee_kind in award.nominee_kinds:
            specs = award.criteria.of(nominee_kind)
            if not specs:
                continue
            context = Context(names, {k: frozenset(v) for k, v in qualified.items()})
            for standing in standings.get(SUBJECT_OF[nominee_kind], ()):
                evaluation = Evaluation(award, nominee_kind, standing, tuple(
                    judge(spec, standing, context) for spec in specs))
                evaluations.append(evaluation)
                if evaluation.qualified:
                    qualified[award.code].add(standing.subject.code)
    return evaluations


def evidence_of(campaign: Campaign, evaluation: Evaluation, period_key: str,
                evaluated_at: datetime) -> CandidateEvidence:
    cells = evaluation.standing.cells
    latest = max(cells, key=lambda c: c.as_of, default=None)
    return CandidateEvidence(
        period_key=period_key, rank=evaluation.standing.rank,
        total_points=evaluation.standing.total_points,
        figures=list(evaluation.standing.indicators), conditions=list(evaluation.results),
        campaign_version=latest.campaign_version if latest else campaign.version,
        catalogue_version=latest.catalogue_version if latest else "",
        evaluated_at=evaluated_at,
        source_event_ids=sorted({uuid.UUID(c.source_event_id) for c in cells
                                 if c.source_event_id}, key=str),
    )


def same_judgement(a: CandidateEvidence, b: CandidateEvidence) -> bool:
    """Evidence that says the same thing (the time of the evaluation aside)."""
    return (a.figures, a.rank, a.total_points, a.conditions) == \
        (b.figures, b.rank, b.total_points, b.conditions)


@dataclass(frozen=True)
class Known:
    """A candidacy as the service last recorded it."""

    status: Literal["proposed", "withdrawn", "decided"]
    evidence: CandidateEvidence


def reconcile(
    campaign: Campaign, evaluations: Sequence[Evaluation], known: Mapping[str, Known],
    period_key: str, evaluated_at: datetime, *, producer: str, cause: Event | None,
) -> list[CandidateProposed | CandidateWithdrawn]:
    """The candidate events that bring the recorded candidacies in line with the evaluations."""
    events: list[CandidateProposed | CandidateWithdrawn] = []
    for evaluation in evaluations:
        before = known.get(evaluation.candidate_id)
        if before is not None and before.status == "decided":
            continue  # the Council decided on the evidence it saw; nothing changes it silently
        evidence = evidence_of(campaign, evaluation, period_key, evaluated_at)
        subject = evaluation.standing.subject
        fields = dict(
            campaign_id=campaign.campaign_id, candidate_id=evaluation.candidate_id,
            award_type=evaluation.award.code, award_name=evaluation.award.name,
            nominee_kind=evaluation.nominee_kind, nominee_code=subject.code,
            nominee_name=subject.name, unit_code=subject.unit_code, evidence=evidence,
        )
        if evaluation.qualified:
            if before is not None and before.status == "proposed" and \
                    same_judgement(before.evidence, evidence):
                continue
            events.append(_make(CandidateProposed, cause, producer, fields))
        elif before is not None and before.status == "proposed":
            missed = "; ".join(r.detail for r in evaluation.results if not r.met)
            events.append(_make(CandidateWithdrawn, cause, producer,
                                {**fields, "reason": f"Không còn đủ điều kiện: {missed}"}))
    return events


def _make(
    cls: type[CandidateProposed] | type[CandidateWithdrawn], cause: Event | None, producer: str,
    fields: dict[str, object],
) -> CandidateProposed | CandidateWithdrawn:
    if cause is None:
        return cls(producer=producer, **fields)  # type: ignore[arg-type]
    return cls.caused_by(cause, producer=producer, **fields)
