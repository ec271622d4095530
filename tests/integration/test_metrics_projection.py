"""The metrics projection on SQLite and PostgreSQL: K3 from the latest record of each dossier,
dead letters with reasons, and exactly-once application by stored position. (The indicator
traps, K1 and K2 are in tests/metrics.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from campaign_metrics.adapters import tables as store
from tests.metrics.support import CAMPAIGN_KEY, Feed, rows_of
from tests.support.records import encode, portal_record
from tests.support.services import fresh_database


@pytest.fixture
def feed(database_url: str) -> Iterator[Feed]:
    db = fresh_database(database_url, store.metadata)
    yield Feed(db)
    db.dispose()


def test_k3_counts_fee_bearing_received_dossiers_paid_online(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=1))
    feed.send(portal_record("H2", paid=2))
    feed.send(portal_record("H3", paid=0))
    feed.send(portal_record("H4", paid=1, procedure="GTVT.VT.02"))  # no fees
    feed.send(portal_record("H5", paid=1, status=3))  # not accepted
    feed.send(portal_record("H6", paid=1, received="20240531235959"))  # before period
    feed.send(portal_record("H7", paid=0, fees=[{"Gia": 0}]))  # exempt
    assert feed.figure("K3") == (2, 3)


def test_the_latest_record_of_a_dossier_replaces_the_earlier_one(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=0))
    assert feed.figure("K3") == (0, 1)
    feed.send(portal_record("H1", paid=1))
    assert feed.figure("K3") == (1, 1)
    feed.send(portal_record("H1", paid=1, unit="VP", procedure="GTVT.VP.01"))
    assert feed.figure("K3", "QLVT") == (0, 0)
    assert feed.figure("K3", "VP") == (1, 1)


def test_a_redelivered_record_changes_nothing(feed: Feed) -> None:
    records = feed.records(portal_record("H1", paid=1))
    assert feed.apply(records)
    feed.announce()
    events_before = feed.outbox()
    cells_before = rows_of(feed.db, store.indicator_cells)
    assert not feed.apply(records)
    feed.announce()
    assert feed.outbox() == events_before
    assert rows_of(feed.db, store.indicator_cells) == cells_before


def test_an_indicator_event_carries_previous_value_versions_and_target(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=0))
    feed.announce()
    feed.send(portal_record("H2", paid=1))
    feed.announce()
    updates = [e for e in feed.outbox("indicators")
               if e["subject_code"] == "QLVT" and e["indicator"] == "K3"
               and e["period_key"] == CAMPAIGN_KEY]
    assert [(u["figure"]["numerator"], u["figure"]["denominator"]) for u in updates] == [
        (0, 1), (1, 2)]
    last = updates[-1]
    assert last["previous"] == {"numerator": 0, "denominator": 1, "rate": "0.0000"}
    assert last["figure"]["rate"] == "0.5000"
    assert last["target"] == "0.45" and last["target_met"] is True
    assert last["campaign_version"] == "2024.1" and len(last["catalogue_version"]) == 12
    department = [e for e in feed.outbox("indicators")
                  if e["subject_kind"] == "department" and e["indicator"] == "K3"
                  and e["period_key"] == CAMPAIGN_KEY]
    assert department[-1]["figure"]["denominator"] == 2


def test_a_bad_record_is_dead_lettered_with_its_reason_and_the_stream_goes_on(feed: Feed) -> None:
    feed.send(b'{"MaHoSo": "H1", "broken"', encode(portal_record("H2", paid=1)))
    dead = feed.outbox("dlq")
    assert len(dead) == 1
    assert dead[0]["reason"] == "invalid_json"
    assert dead[0]["source"] == "portal.dossier-records.v1/0/0"
    assert feed.figure("K3") == (1, 1)


def test_a_record_unknown_to_the_catalogue_is_kept_and_flagged(feed: Feed) -> None:
    feed.send(portal_record("H1", procedure="KHONG.CO"))
    rows = rows_of(feed.db, store.dossiers)
    assert rows[0]["known_to_catalogue"] is False
    accepted = feed.outbox("accepted")
    assert accepted[0]["known_to_catalogue"] is False
