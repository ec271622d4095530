"""The facts the rules read, kept in the notifier's tables from the event log (adapter): unit
figures, standings, candidates, dossiers and their documents, freshness of sources."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Connection, and_, select

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    CandidateProposed,
    CandidateWithdrawn,
    DocumentAttached,
    DossierEventBase,
    DossierOpened,
    DossierReturned,
    DossierSubmitted,
    IndicatorUpdated,
    PeriodKind,
    PortalRecordAccepted,
    StandingUpdated,
    SubjectKind,
)
from campaign_kit.db import as_utc, upsert
from campaign_notifier.domain.model import (
    Candidate,
    Cell,
    Forecast,
    Freshness,
    PastNotice,
    Standing,
)
from campaign_notifier.store import (
    attachments,
    candidates,
    cells,
    dossiers,
    freshness,
    notices,
    standings,
)


class SqlFacts:
    """`Facts` over one transaction; forecasts are fetched before it (see scheduler.py)."""

    def __init__(self, connection: Connection, campaign: Campaign,
                 forecasts: dict[str, list[Forecast] | None] | None = None) -> None:
        self.connection = connection
        self.campaign = campaign
        self._forecasts = forecasts or {}

    def cells(self, unit_code: str | None = None) -> list[Cell]:
        query = select(cells).order_by(cells.c.unit_code, cells.c.indicator)
        if unit_code is not None:
            query = query.where(cells.c.unit_code == unit_code)
        order = {rule.code: i for i, rule in enumerate(self.campaign.indicators)}
        rows = self.connection.execute(query).all()
        found = [
            Cell(r.unit_code, r.indicator, r.indicator_name, r.counted_unit, r.numerator,
                 r.denominator, None if r.rate is None else Decimal(r.rate), Decimal(r.target),
                 bool(r.met), as_utc(r.state_since), None if r.as_of is None else as_utc(r.as_of))
            for r in rows
        ]
        units = {u.code: i for i, u in enumerate(self.campaign.units)}
        return sorted(found, key=lambda c: (units.get(c.unit_code, 99),
                                            order.get(c.indicator, 99), c.indicator))

    def standing(self, unit_code: str) -> Standing | None:
        rows = self.connection.execute(select(standings)).all()
        mine = next((r for r in rows if r.unit_code == unit_code), None)
        if mine is None:
            return None
        ranks = Counter(r.rank for r in rows)
        return Standing(unit_code, mine.rank, ranks[mine.rank] > 1, Decimal(mine.total_points),
                        len(self.campaign.units))

    def open_candidates(self) -> list[Candidate]:
        rows = self.connection.execute(
            select(candidates).where(candidates.c.open.is_(True))
            .order_by(candidates.c.candidate_id)).all()
        return [Candidate(r.candidate_id, r.award_type, r.award_name, r.nominee_kind,
                          r.nominee_code, r.nominee_name, r.unit_code) for r in rows]

    def submitted(self, unit_code: str) -> set[tuple[str, str, str]]:
        rows = self.connection.execute(select(dossiers).where(
            dossiers.c.unit_code == unit_code, dossiers.c.submitted.is_(True))).all()
        return {(r.award_type, r.nominee_kind, r.nominee_code) for r in rows}

    def attached(self, dossier_id: str) -> set[tuple[int, str]]:
        rows = self.connection.execute(
            select(attachments).where(attachments.c.dossier_id == dossier_id)).all()
        return {(r.set_number, r.document_kind) for r in rows}

    def freshness(self) -> list[Freshness]:
        rows = self.connection.execute(
            select(freshness).order_by(freshness.c.kind, freshness.c.code)).all()
        return [Freshness(r.kind, r.code, as_utc(r.last_record_at)) for r in rows]

    def last_notice(self, rule: str, unit_code: str, subject_key: str) -> PastNotice | None:
        row = self.connection.execute(
            select(notices.c.period, notices.c.context).where(and_(
                notices.c.rule == rule, notices.c.unit_code == unit_code,
                notices.c.subject_key == subject_key,
            )).order_by(notices.c.id.desc()).limit(1)).first()
        return None if row is None else PastNotice(row.period, json.loads(row.context))

    def forecasts(self, unit_code: str) -> list[Forecast] | None:
        return self._forecasts.get(unit_code)


class FactsProjection:
    """Keeps the facts up to date from each input event, in the consumer's transaction."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign

    def indicator(self, connection: Connection, event: IndicatorUpdated, now: datetime) -> None:
        """A unit's campaign-period figure; `now` (campaign clock) marks a changed met state."""
        if (event.subject_kind != SubjectKind.UNIT or event.period_kind != PeriodKind.CAMPAIGN
                or self.campaign.unit(event.subject_code) is None):
            return
        met = event.figure.meets(event.target)
        old = connection.execute(select(cells.c.met, cells.c.state_since).where(
            cells.c.unit_code == event.subject_code, cells.c.indicator == event.indicator
        )).first()
        now = now.astimezone(UTC)  # stored in UTC: SQLite keeps no offset
        since = now if old is None or bool(old.met) != met else as_utc(old.state_since)
        try:
            rule = self.campaign.indicator(event.indicator)
            name = event.indicator_name or rule.name
        except KeyError:
            name = event.indicator_name or event.indicator
        upsert(connection, cells, {
            "unit_code": event.subject_code, "indicator": event.indicator,
            "indicator_name": name, "counted_unit": event.counted_unit,
            "numerator": event.figure.numerator, "denominator": event.figure.denominator,
            "rate": None if event.figure.rate is None else str(event.figure.rate),
            "target": str(event.target), "met": met, "state_since": since,
            "as_of": None if event.as_of is None else event.as_of.astimezone(UTC),
        }, ["unit_code", "indicator"])

    def standing(self, connection: Connection, event: StandingUpdated) -> None:
        if event.subject_kind != "unit" or event.period_kind != PeriodKind.CAMPAIGN:
            return
        upsert(connection, standings, {"unit_code": event.unit_code, "rank": event.rank,
                                       "total_points": str(event.total_points)}, ["unit_code"])

    def candidate(self, connection: Connection,
                  event: CandidateProposed | CandidateWithdrawn) -> None:
        upsert(connection, candidates, {
            "candidate_id": event.candidate_id, "award_type": event.award_type,
            "award_name": event.award_name, "nominee_kind": event.nominee_kind,
            "nominee_code": event.nominee_code, "nominee_name": event.nominee_name,
            "unit_code": event.unit_code, "open": isinstance(event, CandidateProposed),
        }, ["candidate_id"])

    def dossier(self, connection: Connection, event: DossierEventBase) -> None:
        key = {"dossier_id": str(event.dossier_id)}
        if isinstance(event, DossierOpened | DossierSubmitted | DossierReturned):
            upsert(connection, dossiers, {
                **key, "unit_code": event.unit_code, "award_type": event.award_type,
                "nominee_kind": event.nominee_kind, "nominee_code": event.nominee_code,
                # A returned dossier is the unit's to fix and submit again.
                "submitted": isinstance(event, DossierSubmitted),
            }, ["dossier_id"])
        if isinstance(event, DocumentAttached):
            slot = {**key, "set_number": event.set_number, "document_kind": event.document_kind}
            held = connection.execute(select(attachments.c.dossier_id).where(
                *(attachments.c[name] == value for name, value in slot.items()))).first()
            if held is None:
                connection.execute(attachments.insert().values(**slot))

    def record(self, connection: Connection, event: PortalRecordAccepted) -> None:
        """Freshness: when each portal (the source it was read from) and unit last sent."""
        portal = event.source.split("/", 1)[0]
        for kind, code in (("portal", portal), ("unit", event.unit_code)):
            if kind == "unit" and self.campaign.unit(code) is None:
                continue
            row = connection.execute(select(freshness.c.last_record_at).where(
                freshness.c.kind == kind, freshness.c.code == code)).first()
            at = event.occurred_at.astimezone(UTC)
            if row is None or as_utc(row.last_record_at) < at:
                upsert(connection, freshness, {"kind": kind, "code": code,
                                               "last_record_at": at},
                       ["kind", "code"])
