"""Projects standings from indicator events: each unit's points per indicator, its total and
its rank; emits StandingUpdated for every unit whose standing changed, in the caller's
transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import Connection, select

from campaign_awards import SERVICE
from campaign_awards.scoring import RankEntry, points, rank
from campaign_awards.store import outbox, standing_indicators, standings
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import (
    Figure,
    IndicatorCode,
    IndicatorStanding,
    IndicatorUpdated,
    PeriodKind,
    StandingUpdated,
    SubjectKind,
)
from campaign_kit.db import upsert
from campaign_kit.outbox import add_to_outbox


def _codes(text: str) -> list[IndicatorCode]:
    return [c for c in text.split(",") if c]


class StandingsProjection:
    def __init__(self, campaign: Campaign, standings_topic: str, registry: CollectorRegistry):
        self.campaign = campaign
        self.topic = standings_topic
        self.rank_gauge = Gauge(
            "standing_rank", "Rank of each unit over the campaign period", ["unit_code"],
            registry=registry,
        )
        self.points_gauge = Gauge(
            "standing_points", "Total points of each unit over the campaign period",
            ["unit_code"], registry=registry,
        )

    def apply(self, connection: Connection, event: IndicatorUpdated) -> None:
        if (event.campaign_id != self.campaign.campaign_id
                or event.subject_kind is not SubjectKind.UNIT
                or event.period_kind is not PeriodKind.CAMPAIGN
                or self.campaign.unit(event.subject_code) is None):
            return  # standings rank the campaign's units over the campaign period
        rule = self.campaign.indicator(event.indicator)
        upsert(connection, standing_indicators, {
            "period_key": event.period_key, "unit_code": event.subject_code,
            "indicator": event.indicator, "numerator": event.figure.numerator,
            "denominator": event.figure.denominator, "target": rule.target,
            "target_met": event.figure.meets(rule.target),
            "points": points(event.figure, rule.target, rule.points),
            "source_event_id": str(event.event_id),
        }, ["period_key", "unit_code", "indicator"])
        self._rerank(connection, event)

    def _rerank(self, connection: Connection, cause: IndicatorUpdated) -> None:
        period_key = cause.period_key
        by_unit: dict[str, dict[IndicatorCode, IndicatorStanding]] = defaultdict(dict)
        for row in connection.execute(
            select(standing_indicators).where(standing_indicators.c.period_key == period_key)
        ):
            by_unit[row.unit_code][row.indicator] = IndicatorStanding(
                indicator=row.indicator,
                figure=Figure.of(row.numerator, row.denominator),
                target=Decimal(row.target), target_met=row.target_met,
                points=Decimal(row.points),
            )
        entries = []
        for unit in self.campaign.units:
            cells = by_unit.get(unit.code, {})
            total = sum((c.points for c in cells.values()), Decimal("0.00"))
            k3 = cells.get("K3")
            entries.append(RankEntry(unit.code, total, k3.figure if k3 else None))
        ranks = rank(entries)
        stored = {
            row.unit_code: row for row in connection.execute(
                select(standings).where(standings.c.period_key == period_key)
            )
        }
        now = datetime.now(UTC)
        for entry in entries:
            cells = by_unit.get(entry.unit_code, {})
            met = sorted(c.indicator for c in cells.values() if c.target_met)
            met_text = ",".join(met)
            before = stored.get(entry.unit_code)
            unchanged = before is not None and (
                before.rank, Decimal(before.total_points), before.targets_met
            ) == (ranks[entry.unit_code], entry.total_points, met_text)
            if unchanged or (before is None and not cells):
                continue
            upsert(connection, standings, {
                "period_key": period_key, "unit_code": entry.unit_code,
                "rank": ranks[entry.unit_code], "total_points": entry.total_points,
                "targets_met": met_text, "updated_at": now,
            }, ["period_key", "unit_code"])
            unit_name = next(u.name for u in self.campaign.units if u.code == entry.unit_code)
            event = StandingUpdated.caused_by(
                cause, producer=SERVICE, campaign_id=self.campaign.campaign_id,
                period_key=period_key, unit_code=entry.unit_code, unit_name=unit_name,
                rank=ranks[entry.unit_code], total_points=entry.total_points,
                indicators=[cells[k] for k in sorted(cells)], targets_met=met,
                previous_targets_met=_codes(before.targets_met) if before else [],
            )
            add_to_outbox(connection, outbox, self.topic, entry.unit_code, event)
            self.rank_gauge.labels(entry.unit_code).set(ranks[entry.unit_code])
            self.points_gauge.labels(entry.unit_code).set(float(entry.total_points))
