"""Standings from indicator events on SQLite and PostgreSQL: ranks, points, target crossings.
(The notifier's rules are tested in tests/notifier.)"""

from __future__ import annotations

from decimal import Decimal

from prometheus_client import CollectorRegistry

from campaign_awards import store as awards_store
from campaign_awards.projection import StandingsProjection
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import (
    Figure,
    IndicatorUpdated,
    PeriodKind,
    SubjectKind,
)
from tests.support.records import kafka_record
from tests.support.services import fresh_database, outbox_events, table_rows, tracked

CAMPAIGN = load_campaign()


def k3_update(unit: str, numerator: int, denominator: int) -> IndicatorUpdated:
    figure = Figure.of(numerator, denominator)
    return IndicatorUpdated(
        producer="metrics", campaign_id=CAMPAIGN.campaign_id, campaign_version="2024.1",
        catalogue_version="abc", indicator="K3", subject_kind=SubjectKind.UNIT,
        subject_code=unit, period_kind=PeriodKind.CAMPAIGN, period_key=CAMPAIGN.period.key,
        figure=figure, previous=None, target=Decimal("0.45"),
        target_met=figure.meets(Decimal("0.45")), as_of="2024-07-02T01:30:00Z",
    )


def test_standings_rank_units_and_report_target_crossings(database_url: str) -> None:
    db = fresh_database(database_url, awards_store.metadata)
    consumer = tracked(db, awards_store.positions)
    projection = StandingsProjection(CAMPAIGN, "standings", CollectorRegistry())

    def send(event: IndicatorUpdated, offset: int) -> bool:
        record = kafka_record(event.to_bytes(), offset, topic="indicators")
        return consumer.apply(record, lambda conn, _r: projection.apply(conn, event))

    send(k3_update("QLVT", 2, 10), 0)
    send(k3_update("VP", 1, 4), 1)
    send(k3_update("QLVT", 5, 10), 2)
    rows = {r["unit_code"]: r for r in table_rows(db, awards_store.standings)}
    assert rows["QLVT"]["rank"] == 1 and Decimal(rows["QLVT"]["total_points"]) == 50
    assert rows["VP"]["rank"] == 2 and Decimal(rows["VP"]["total_points"]) == Decimal("27.78")
    events = [e for e in outbox_events(db, awards_store.outbox) if e["unit_code"] == "QLVT"]
    # QLVT hears of its rank falling behind VP, then of rising again with K3 met.
    assert [(e["rank"], e["targets_met"]) for e in events] == [(1, []), (2, []), (1, ["K3"])]
    assert events[-1]["previous_targets_met"] == []
    before = outbox_events(db, awards_store.outbox)
    assert not send(k3_update("QLVT", 5, 10), 2)  # redelivered
    assert outbox_events(db, awards_store.outbox) == before
    db.dispose()
