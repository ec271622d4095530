"""The Council's side: the nomination dossiers as the dossier events tell them (accepted,
forwarded), the decisions log, and the two commands that change it.

Decisions are written when the command is handled and again when they come back from the
decisions topic; both go through `record`, which knows a decision by its id, so the topic alone
rebuilds the decisions (and the candidacies they froze) into an empty database."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

from pydantic import RootModel
from sqlalchemy import Connection, select, update

from campaign_awards import SERVICE
from campaign_awards.domain.candidates import candidate_id
from campaign_awards.domain.decisions import (
    DecideAward,
    NominationDossier,
    RecordedDecision,
    decide,
    require_council,
    revoke,
)
from campaign_awards.domain.errors import Refusal, RefusalKind
from campaign_awards.store import candidates, decisions, nomination_dossiers, outbox
from campaign_awards.telemetry import AwardsTelemetry
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    AwardDecided,
    CandidateEvidence,
    DecisionEvent,
    DecisionRevoked,
    DossierAccepted,
    DossierEventMessage,
    DossierForwarded,
    DossierReturned,
    officer_key,
)
from campaign_kit.db import Database, upsert
from campaign_kit.identity import Caller
from campaign_kit.outbox import add_to_outbox


class DecisionMessage(RootModel[DecisionEvent]):
    """Any event of the decisions topic (AwardDecided or DecisionRevoked)."""


def nominee_key(nominee_kind: str, unit_code: str, nominee_code: str) -> str:
    """Dossiers name an officer by name within the nominating unit; awards by officer key."""
    if nominee_kind == "individual" and "/" not in nominee_code:
        return officer_key(unit_code, nominee_code)
    return nominee_code


class DossierFollower:
    """Follows the dossiers topic: which nominee's dossier was accepted and forwarded."""

    def apply(self, connection: Connection, message: DossierEventMessage) -> None:
        event = message.root
        row = connection.execute(select(nomination_dossiers).where(
            nomination_dossiers.c.dossier_id == str(event.dossier_id))).first()
        accepted = bool(row.accepted) if row else False
        forwarded = bool(row.forwarded) if row else False
        if isinstance(event, DossierAccepted):
            accepted = True
        elif isinstance(event, DossierForwarded):
            accepted = forwarded = True  # only an accepted dossier is forwarded
        elif isinstance(event, DossierReturned):
            accepted = forwarded = False
        upsert(connection, nomination_dossiers, {
            "dossier_id": str(event.dossier_id), "award_type": event.award_type,
            "nominee_kind": event.nominee_kind,
            "nominee_code": nominee_key(event.nominee_kind, event.unit_code, event.nominee_code),
            "unit_code": event.unit_code, "accepted": accepted, "forwarded": forwarded,
        }, ["dossier_id"])


def recorded(row: object) -> RecordedDecision:
    decided = AwardDecided.model_validate_json(row.decided)  # type: ignore[attr-defined]
    return RecordedDecision(
        decided.decision_id, decided.decision_number, decided.award_type, decided.nominee_kind,
        decided.nominee_code, decided.nominee_name, decided.unit_code, decided.dossier_id,
        bool(row.revoked),  # type: ignore[attr-defined]
    )


def record(connection: Connection, event: AwardDecided | DecisionRevoked) -> bool:
    """Write a decision or a revocation once; False if it was already there."""
    c = decisions.c
    row = connection.execute(select(decisions).where(
        c.decision_id == str(event.decision_id))).first()
    cid = candidate_id(event.award_type, event.nominee_kind, event.nominee_code)
    if isinstance(event, AwardDecided):
        if row is not None:
            return False
        connection.execute(decisions.insert().values(
            decision_id=str(event.decision_id), award_type=event.award_type,
            nominee_kind=event.nominee_kind, nominee_code=event.nominee_code,
            unit_code=event.unit_code, decided=event.model_dump_json(), revoked=False,
            revoked_reason="", revoked_at=None))
        if event.evidence is not None:  # the candidacy stays as the Council saw it
            upsert(connection, candidates, {
                "candidate_id": cid, "award_type": event.award_type,
                "nominee_kind": event.nominee_kind, "nominee_code": event.nominee_code,
                "nominee_name": event.nominee_name, "unit_code": event.unit_code,
                "status": "decided", "evidence": event.evidence.model_dump_json(),
                "withdrawn_reason": "",
            }, ["candidate_id"])
        return True
    if row is None or row.revoked:
        return False
    connection.execute(update(decisions).where(c.decision_id == str(event.decision_id)).values(
        revoked=True, revoked_reason=event.reason, revoked_at=event.occurred_at))
    # A revoked award's candidacy is judged again with the next figures.
    connection.execute(update(candidates).where(
        candidates.c.candidate_id == cid, candidates.c.status == "decided").values(
        status="proposed"))
    return True


class DecisionLog:
    """Applies the decisions topic (its own events coming back, or all of them in a rebuild)."""

    def __init__(self, telemetry: AwardsTelemetry) -> None:
        self.telemetry = telemetry

    def apply(self, connection: Connection, message: DecisionMessage) -> None:
        if record(connection, message.root):
            self.telemetry.count(connection)


@dataclass
class Council:
    """Handles DecideAward and RevokeDecision: one transaction each, the event in the outbox."""

    db: Database
    campaign: Campaign
    decisions_topic: str
    telemetry: AwardsTelemetry

    def decide(self, caller: Caller, command: DecideAward) -> AwardDecided:
        require_council(caller.role)
        key = nominee_key(command.nominee_kind, "", command.nominee_code)
        with self.db.begin() as connection:
            d = nomination_dossiers.c
            dossiers = [NominationDossier(uuid.UUID(r.dossier_id), bool(r.accepted),
                                          bool(r.forwarded))
                        for r in connection.execute(select(nomination_dossiers).where(
                            d.award_type == command.award_type,
                            d.nominee_kind == command.nominee_kind, d.nominee_code == key))]
            c = decisions.c
            decided = [recorded(r) for r in connection.execute(select(decisions).where(
                c.award_type == command.award_type, c.nominee_kind == command.nominee_kind,
                c.nominee_code == key))]
            candidacy = connection.execute(select(candidates).where(
                candidates.c.candidate_id == candidate_id(
                    command.award_type, command.nominee_kind, key),
                candidates.c.status == "proposed")).first()
            evidence = (CandidateEvidence.model_validate_json(candidacy.evidence)
                        if candidacy else None)
            event = decide(command, self.campaign, actor=caller.actor, dossiers=dossiers,
                           decided=decided, evidence=evidence, producer=SERVICE)
            record(connection, event)
            add_to_outbox(connection, outbox, self.decisions_topic, str(event.decision_id),
                          event)
            self.telemetry.count(connection)
        return event

    def revoke(self, caller: Caller, decision_id: str, reason: str) -> DecisionRevoked:
        require_council(caller.role)
        with self.db.begin() as connection:
            row = None
            try:
                wanted = str(uuid.UUID(decision_id))
            except ValueError:
                raise Refusal(RefusalKind.INVALID, "bad_decision_id",
                              f"Mã quyết định '{decision_id}' không hợp lệ.") from None
            row = connection.execute(select(decisions).where(
                decisions.c.decision_id == wanted)).first()
            event = revoke(recorded(row) if row else None, decision_id, reason,
                           actor=caller.actor, campaign_id=self.campaign.campaign_id,
                           producer=SERVICE)
            record(connection, event)
            add_to_outbox(connection, outbox, self.decisions_topic, str(event.decision_id),
                          event)
            self.telemetry.count(connection)
        return event


def decision_json(row: object) -> dict[str, object]:
    return json.loads(row.decided)  # type: ignore[attr-defined, no-any-return]
