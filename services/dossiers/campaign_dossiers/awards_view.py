"""What the dossiers service knows of the awards service's facts: the current candidates (from
the candidates topic) and the Council's decisions (from the decisions topic), kept so that the
documents people sign are drafted from them. A withdrawn candidate keeps its last evidence; a
revoked decision keeps its row with the reason, and is left out of the documents."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import RootModel
from sqlalchemy import Connection, Row, select, update

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    AwardDecided,
    CandidateEvent,
    CandidateEvidence,
    CandidateProposed,
    DecisionEvent,
    DecisionRevoked,
    NomineeKind,
    officer_key,
)
from campaign_dossiers.store import award_decisions, candidates
from campaign_kit.db import upsert


class CandidateMessage(RootModel[CandidateEvent]):
    """One record of the candidates topic, whichever of its events it is."""


class DecisionMessage(RootModel[DecisionEvent]):
    """One record of the decisions topic, whichever of its events it is."""


def subject_key(nominee_kind: NomineeKind, unit_code: str, nominee_code: str) -> str:
    """How the awards events name a nominee: a unit's code, or an officer's key."""
    return unit_code if nominee_kind == "collective" else officer_key(unit_code, nominee_code)


@dataclass(frozen=True)
class Candidacy:
    """Where a nominee stands as a candidate for one award."""

    proposed: bool
    nominee_name: str
    evidence: CandidateEvidence
    reason: str | None  # why it was withdrawn


class CandidatesProjection:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def apply(self, connection: Connection, message: CandidateMessage | CandidateEvent) -> None:
        event = message.root if isinstance(message, CandidateMessage) else message
        if event.campaign_id != self.campaign.campaign_id:
            return
        proposed = isinstance(event, CandidateProposed)
        upsert(connection, candidates, {
            "candidate_id": event.candidate_id, "award_type": event.award_type,
            "nominee_kind": event.nominee_kind, "nominee_code": event.nominee_code,
            "nominee_name": event.nominee_name, "unit_code": event.unit_code,
            "proposed": proposed, "reason": None if proposed else getattr(event, "reason", None),
            "evidence": event.evidence.model_dump_json(), "source_event_id": str(event.event_id),
        }, ["candidate_id"])


def candidacy(
    connection: Connection, award_type: str, nominee_kind: NomineeKind, nominee_key: str
) -> Candidacy | None:
    c = candidates.c
    row = connection.execute(select(candidates).where(
        c.award_type == award_type, c.nominee_kind == nominee_kind, c.nominee_code == nominee_key,
    )).one_or_none()
    if row is None:
        return None
    return Candidacy(row.proposed, row.nominee_name,
                     CandidateEvidence.model_validate_json(row.evidence), row.reason)


class DecisionsProjection:
    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def apply(self, connection: Connection, message: DecisionMessage | DecisionEvent) -> None:
        event = message.root if isinstance(message, DecisionMessage) else message
        if event.campaign_id != self.campaign.campaign_id:
            return
        if isinstance(event, DecisionRevoked):
            connection.execute(update(award_decisions).where(
                award_decisions.c.decision_id == str(event.decision_id)
            ).values(revoked_reason=event.reason))
            return
        if event.schema_version == 1:
            # A version 1 decision has no id of its own (it would get a new one at each read):
            # its event id is stable, and names it from then on.
            event = event.model_copy(update={"decision_id": event.event_id})
        upsert(connection, award_decisions, {
            "decision_id": str(event.decision_id), "decision_number": event.decision_number,
            "payload": event.model_dump_json(),
            "dossier_id": None if event.dossier_id is None else str(event.dossier_id),
            "award_type": event.award_type, "nominee_kind": event.nominee_kind,
            "nominee_code": event.nominee_code, "revoked_reason": None,
        }, ["decision_id"])


@dataclass(frozen=True)
class RecordedDecision:
    decision: AwardDecided
    revoked_reason: str | None

    @property
    def in_force(self) -> bool:
        return self.revoked_reason is None


def _recorded(rows: Sequence[Row[Any]]) -> list[RecordedDecision]:
    found = [RecordedDecision(AwardDecided.model_validate_json(r.payload), r.revoked_reason)
             for r in rows]
    return sorted(found, key=lambda d: (d.decision.decision_date, d.decision.nominee_kind,
                                        d.decision.nominee_name, str(d.decision.decision_id)))


def decisions_numbered(connection: Connection, decision_number: str) -> list[RecordedDecision]:
    """Every recorded decision under one number (revoked ones too, marked)."""
    rows = connection.execute(select(award_decisions).where(
        award_decisions.c.decision_number == decision_number)).all()
    return _recorded(rows)


def decision(connection: Connection, decision_id: uuid.UUID) -> RecordedDecision | None:
    rows = connection.execute(select(award_decisions).where(
        award_decisions.c.decision_id == str(decision_id))).all()
    found = _recorded(rows)
    return found[0] if found else None


def decisions_for(
    connection: Connection, dossier_id: uuid.UUID, award_type: str, nominee_kind: NomineeKind,
    nominee_key: str,
) -> list[RecordedDecision]:
    """The decisions on a dossier: those naming it, and those on its nominee and award that the
    Council recorded with an override instead of a dossier."""
    c = award_decisions.c
    rows = connection.execute(select(award_decisions).where(
        (c.dossier_id == str(dossier_id))
        | ((c.award_type == award_type) & (c.nominee_kind == nominee_kind)
           & (c.nominee_code == nominee_key))
    )).all()
    return _recorded(rows)

