"""Standings from indicator events, and deliveries from standing events, on SQLite and
PostgreSQL: ranks, points, target crossings, and no duplicate notice for a republished event."""

from __future__ import annotations

import json
from decimal import Decimal

from prometheus_client import CollectorRegistry

from campaign_awards import store as awards_store
from campaign_awards.projection import StandingsProjection
from campaign_contracts.campaign_file import load_campaign
from campaign_contracts.events import (
    Figure,
    IndicatorUpdated,
    PeriodKind,
    StandingUpdated,
    SubjectKind,
)
from campaign_notifier import store as notifier_store
from campaign_notifier.projection import NotificationProjection
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


def test_a_newly_met_target_notifies_each_contact_once(database_url: str) -> None:
    db = fresh_database(database_url, notifier_store.metadata)
    consumer = tracked(db, notifier_store.positions)
    projection = NotificationProjection(CAMPAIGN)
    standing_events = [e for e in _standing_events() if e.unit_code == "QLVT"]
    met = standing_events[-1]
    for offset in (0, 1):  # the same event published twice by an outbox after a crash
        record = kafka_record(met.to_bytes(), offset, topic="standings")
        consumer.apply(record, lambda conn, _r: projection.apply(conn, met))
    rows = table_rows(db, notifier_store.deliveries)
    assert len(rows) == 1
    assert rows[0]["recipient"] == "qlvt@sgtvt.langson.example"
    assert rows[0]["subject"].startswith("[Thi đua] Phòng Quản lý vận tải")
    assert "45,00% (9/20 hồ sơ)" in rows[0]["body"]
    assert rows[0]["status"] == "pending"
    db.dispose()


def _standing_events() -> list[StandingUpdated]:
    """Standing events as the awards projection emits them (in memory, SQLite)."""
    db = fresh_database("sqlite://", awards_store.metadata)
    projection = StandingsProjection(CAMPAIGN, "standings", CollectorRegistry())
    with db.begin() as connection:
        projection.apply(connection, k3_update("QLVT", 8, 20))
        projection.apply(connection, k3_update("QLVT", 9, 20))
    return [StandingUpdated.model_validate(e)
            for e in (json.loads(json.dumps(x)) for x in outbox_events(db, awards_store.outbox))]


def test_a_target_reached_again_after_dipping_is_not_announced_twice(database_url: str) -> None:
    db = fresh_database(database_url, notifier_store.metadata)
    projection = NotificationProjection(CAMPAIGN)
    awards_db = fresh_database("sqlite://", awards_store.metadata)
    standings = StandingsProjection(CAMPAIGN, "standings", CollectorRegistry())
    with awards_db.begin() as connection:  # met, dipped below, met again
        for numerator in (9, 8, 9):
            standings.apply(connection, k3_update("QLVT", numerator, 20))
    events = [StandingUpdated.model_validate(e)
              for e in outbox_events(awards_db, awards_store.outbox)]
    assert [e.targets_met for e in events] == [["K3"], [], ["K3"]]
    for event in events:
        with db.begin() as connection:
            projection.apply(connection, event)
    assert len(table_rows(db, notifier_store.deliveries)) == 1
    db.dispose()
