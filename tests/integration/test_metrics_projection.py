"""The metrics projection on SQLite and PostgreSQL: K3 from the latest record of each dossier,
dead letters with reasons, and exactly-once application by stored position."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from prometheus_client import CollectorRegistry

from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path
from campaign_kit.db import Database
from campaign_metrics import store
from campaign_metrics.catalogue import load_catalogue
from campaign_metrics.projection import MetricsProjection, MetricsTelemetry, OutputTopics
from tests.support.records import encode, kafka_record, portal_record
from tests.support.services import fresh_database, outbox_events, table_rows, tracked

TOPICS = OutputTopics(dead_letter="dlq", accepted="accepted", indicators="indicators")


class Feed:
    """Feeds records through a tracked consumer, offsets counting up like a partition."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.consumer = tracked(db, store.positions)
        self.projection = MetricsProjection(
            load_campaign(), load_catalogue(seed_path(SEED_CATALOGUE)), TOPICS,
            MetricsTelemetry(CollectorRegistry()),
        )
        self.offset = 0

    def send(self, value: bytes, offset: int | None = None) -> bool:
        if offset is None:
            offset, self.offset = self.offset, self.offset + 1
        return self.consumer.apply(kafka_record(value, offset), self.projection.apply)

    def k3(self, unit: str = "QLVT") -> tuple[int, int] | None:
        cells = [c for c in table_rows(self.db, store.indicator_cells)
                 if c["subject_code"] == unit and c["indicator"] == "K3"]
        return (cells[0]["numerator"], cells[0]["denominator"]) if cells else None


@pytest.fixture
def feed(database_url: str) -> Iterator[Feed]:
    db = fresh_database(database_url, store.metadata)
    yield Feed(db)
    db.dispose()


def test_k3_counts_fee_bearing_received_dossiers_paid_online(feed: Feed) -> None:
    feed.send(encode(portal_record("H1", paid=1)))
    feed.send(encode(portal_record("H2", paid=2)))
    feed.send(encode(portal_record("H3", paid=0)))
    feed.send(encode(portal_record("H4", paid=1, procedure="GTVT.VT.02")))  # no fees
    feed.send(encode(portal_record("H5", paid=1, status=3)))  # not accepted
    feed.send(encode(portal_record("H6", paid=1, received="20240531235959")))  # before period
    feed.send(encode(portal_record("H7", paid=0, fees=[{"Gia": 0}])))  # exempt
    assert feed.k3() == (2, 3)


def test_the_latest_record_of_a_dossier_replaces_the_earlier_one(feed: Feed) -> None:
    feed.send(encode(portal_record("H1", paid=0)))
    assert feed.k3() == (0, 1)
    feed.send(encode(portal_record("H1", paid=1)))
    assert feed.k3() == (1, 1)
    feed.send(encode(portal_record("H1", paid=1, unit="VP", procedure="GTVT.VP.01")))
    assert feed.k3("QLVT") == (0, 0)
    assert feed.k3("VP") == (1, 1)


def test_a_redelivered_record_changes_nothing(feed: Feed) -> None:
    assert feed.send(encode(portal_record("H1", paid=1)), offset=0)
    events_before = outbox_events(feed.db, store.outbox)
    cells_before = table_rows(feed.db, store.indicator_cells)
    assert not feed.send(encode(portal_record("H1", paid=1)), offset=0)
    assert outbox_events(feed.db, store.outbox) == events_before
    assert table_rows(feed.db, store.indicator_cells) == cells_before


def test_an_indicator_event_carries_previous_value_versions_and_target(feed: Feed) -> None:
    feed.send(encode(portal_record("H1", paid=0)))
    feed.send(encode(portal_record("H2", paid=1)))
    updates = [e for e in outbox_events(feed.db, store.outbox, "indicators")
               if e["subject_code"] == "QLVT"]
    assert [(u["figure"]["numerator"], u["figure"]["denominator"]) for u in updates] == [
        (0, 1), (1, 2)]
    last = updates[-1]
    assert last["previous"] == {"numerator": 0, "denominator": 1, "rate": "0.0000"}
    assert last["figure"]["rate"] == "0.5000"
    assert last["target"] == "0.45" and last["target_met"] is True
    assert last["campaign_version"] == "2024.1" and len(last["catalogue_version"]) == 12
    department = [e for e in outbox_events(feed.db, store.outbox, "indicators")
                  if e["subject_kind"] == "department"]
    assert department[-1]["figure"]["denominator"] == 2


def test_a_bad_record_is_dead_lettered_with_its_reason_and_the_stream_goes_on(feed: Feed) -> None:
    feed.send(b'{"MaHoSo": "H1", "broken"')
    feed.send(encode(portal_record("H2", paid=1)))
    dead = outbox_events(feed.db, store.outbox, "dlq")
    assert len(dead) == 1
    assert dead[0]["reason"] == "invalid_json"
    assert dead[0]["source"] == "portal.dossier-records.v1/0/0"
    assert feed.k3() == (1, 1)


def test_a_record_unknown_to_the_catalogue_is_kept_and_flagged(feed: Feed) -> None:
    feed.send(encode(portal_record("H1", procedure="KHONG.CO")))
    rows = table_rows(feed.db, store.dossiers)
    assert rows[0]["known_to_catalogue"] is False
    accepted = outbox_events(feed.db, store.outbox, "accepted")
    assert accepted[0]["known_to_catalogue"] is False
