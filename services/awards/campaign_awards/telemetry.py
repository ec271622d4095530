"""Prometheus figures of the awards service: each unit's points and rank over the campaign
period, and how many candidates and decisions there are."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import Connection, func, select

from campaign_awards.store import candidates, decisions


class AwardsTelemetry:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.rank = Gauge("standing_rank", "Rank of each unit over the campaign period",
                          ["unit_code"], registry=registry)
        self.points = Gauge("standing_points", "Total points of each unit over the campaign "
                            "period", ["unit_code"], registry=registry)
        self.candidates = Gauge("award_candidates", "Candidates by award type and status",
                                ["award_type", "status"], registry=registry)
        self.decisions = Gauge("award_decisions", "Council decisions by award type, revoked "
                               "or in force", ["award_type", "revoked"], registry=registry)

    def count(self, connection: Connection) -> None:
        """Set the candidate and decision counts from the tables (a handful of rows); a count
        that fell to nothing disappears rather than keeping its last value."""
        self.candidates.clear()
        self.decisions.clear()
        for award_type, status, n in connection.execute(
            select(candidates.c.award_type, candidates.c.status, func.count())
            .group_by(candidates.c.award_type, candidates.c.status)
        ):
            self.candidates.labels(award_type, status).set(n)
        for award_type, revoked, n in connection.execute(
            select(decisions.c.award_type, decisions.c.revoked, func.count())
            .group_by(decisions.c.award_type, decisions.c.revoked)
        ):
            self.decisions.labels(award_type, "true" if revoked else "false").set(n)
