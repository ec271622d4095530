"""IndicatorUpdated events are coalesced: a burst gives one event per changed cell and window,
`previous` is what was announced last, and a change undone within the window says nothing."""

from __future__ import annotations

from typing import Any

from tests.metrics.support import CAMPAIGN_KEY, Feed
from tests.support.records import portal_record


def _unit_campaign(events: list[dict[str, Any]], indicator: str, unit: str = "QLVT"
                   ) -> list[dict[str, Any]]:
    return [e for e in events if e["indicator"] == indicator and e["subject_code"] == unit
            and e["period_key"] == CAMPAIGN_KEY]


def test_a_burst_gives_one_event_per_cell_with_the_previous_announcement(feed: Feed) -> None:
    feed.announce()  # the catalogue's K1 cells
    for i in range(30):  # thirty batches inside one window
        feed.send(portal_record(f"H{i}", paid=1 if i % 3 == 0 else 0))
    events = feed.announce()
    (k3,) = _unit_campaign(events, "K3")
    assert k3["figure"] == {"numerator": 10, "denominator": 30, "rate": "0.3333"}
    assert k3["previous"] is None  # never announced before
    assert k3["target"] == "0.45" and k3["target_met"] is False
    assert k3["campaign_version"] == "2024.1" and len(k3["catalogue_version"]) == 12
    (k1,) = _unit_campaign(events, "K1")
    assert k1["previous"] == {"numerator": 0, "denominator": 6, "rate": "0.0000"}
    # Every cell is announced once in the window, however many records touched it.
    keys = [(e["indicator"], e["subject_kind"], e["subject_code"], e["period_kind"],
             e["period_key"]) for e in events]
    assert len(keys) == len(set(keys))
    feed.send(*(portal_record(f"H{i}", paid=1) for i in range(5)))
    (k3,) = _unit_campaign(feed.announce(), "K3")
    assert k3["previous"] == {"numerator": 10, "denominator": 30, "rate": "0.3333"}
    assert k3["figure"]["numerator"] == 13  # H1, H2, H4 newly paid (H0, H3 were)


def test_a_change_undone_within_the_window_is_not_announced(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=0))
    feed.announce()
    feed.send(portal_record("H1", paid=1))
    feed.send(portal_record("H1", paid=0))
    assert _unit_campaign(feed.announce(), "K3") == []
    assert feed.announce() == []  # nothing dirty is left


def test_an_event_names_the_record_behind_it_and_its_time(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=1), portal_record("H2", paid=1))
    (k3,) = _unit_campaign(feed.announce(), "K3")
    (accepted,) = [e for e in feed.outbox("accepted") if e["dossier_code"] == "H2"]
    # The cause is the latest record that touched the cell: H2 at offset 1.
    assert accepted["source"] == "portal.dossier-records.v1/0/1"
    assert k3["causation_id"] == accepted["causation_id"]
    assert k3["as_of"].startswith("2024-07-01T")  # the record's Kafka time, not now


def test_the_dashboard_gauges_follow_the_announcements(feed: Feed) -> None:
    from prometheus_client import generate_latest

    feed.send(portal_record("H1", paid=1), portal_record("H2", paid=0),
              portal_record("V1", unit="VP", procedure="GTVT.VP.02", channel=1))
    feed.announce()
    scraped = generate_latest(feed.registry).decode()
    assert 'indicator_rate{indicator="K3",subject_code="QLVT",subject_kind="unit"} 0.5' in scraped
    assert ('indicator_denominator{indicator="K3",subject_code="SGTVT",'
            'subject_kind="department"} 2.0') in scraped
    # VP has no fee-bearing dossier: its K3 rate is absent (n/a), not 0.
    assert 'indicator_rate{indicator="K3",subject_code="VP"' not in scraped
    assert 'indicator_rate{indicator="K2",subject_code="VP",subject_kind="unit"} 0.0' in scraped


async def test_announcements_wait_longer_while_catching_up(feed: Feed) -> None:
    from campaign_metrics.adapters.announcer import Announcements

    lagging = True
    announcements = Announcements(feed.db, feed.announcer, None, window_s=0.01,
                                  catch_up_window_s=3600, behind=lambda: lagging)
    await announcements.flush()
    assert not announcements._due()  # a backlog: wait for the wide window
    lagging = False
    assert announcements._due()  # caught up: every short window again
