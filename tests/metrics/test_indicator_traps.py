"""The traps of the indicator definitions (domain.md), one test each, on SQLite and PostgreSQL.
A figure off by one dossier is a wrong figure.

Seed catalogue facts the tests lean on: QLVT offers 6 online services (GPLX.01–03, VT.01,
VT.02, PT.01; all with fees except VT.02); VP offers VP.01 online (with fees) and VP.02 not
online (no fees); KCHT's 3 services are online without fees; the Department has 10 distinct
online services.
"""

from __future__ import annotations

from tests.metrics.support import CAMPAIGN_KEY, Feed
from tests.support.records import portal_record

JULY = "20240702083000"


def test_a_resynced_dossier_moves_between_numerators_and_denominators(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=0, officer="Nguyễn Thị Hương"))
    assert (feed.figure("K2"), feed.figure("K3")) == ((1, 1), (0, 1))
    feed.send(portal_record("H1", paid=1, officer="Nguyễn Thị Hương"))
    assert (feed.figure("K2"), feed.figure("K3")) == ((1, 1), (1, 1))
    assert feed.figure("K1") == (1, 6)
    # Now in person: out of K2's numerator, and GPLX.02 has no online dossier left for K1.
    feed.send(portal_record("H1", paid=1, channel=1, officer="Hoàng Văn Đức"))
    assert (feed.figure("K2"), feed.figure("K3"), feed.figure("K1")) == ((0, 1), (1, 1), (0, 6))
    assert feed.figure("K2", "QLVT/Nguyễn Thị Hương", "officer") == (0, 0)
    assert feed.figure("K2", "QLVT/Hoàng Văn Đức", "officer") == (0, 1)
    # Handled by another unit: it leaves QLVT and joins VP; the Department keeps one dossier.
    feed.send(portal_record("H1", unit="VP", procedure="GTVT.VP.01", paid=1))
    assert (feed.figure("K2"), feed.figure("K3")) == ((0, 0), (0, 0))
    assert (feed.figure("K2", "VP"), feed.figure("K3", "VP"), feed.figure("K1", "VP")) == (
        (1, 1), (1, 1), (1, 1))
    assert feed.figure("K2", "SGTVT", "department") == (1, 1)
    # Received in another month and week: it moves between the period cells too.
    feed.send(portal_record("H1", unit="VP", procedure="GTVT.VP.01", paid=1,
                            received="20240815090000"))
    assert feed.figure("K2", "VP", period_kind="month", period_key="2024-07") == (0, 0)
    assert feed.figure("K2", "VP", period_kind="month", period_key="2024-08") == (1, 1)
    assert feed.figure("K2", "VP", period_kind="week", period_key="2024-W27") == (0, 0)
    assert feed.figure("K2", "VP", period_kind="week", period_key="2024-W33") == (1, 1)
    assert feed.figure("K2", "VP") == (1, 1)


def test_a_duplicate_changes_nothing(feed: Feed) -> None:
    record = portal_record("H1", paid=1, officer="Vi Văn Thắng")
    first = feed.records(record)
    assert len(feed.apply(first)) == 1
    feed.announce()
    cells = feed.cells()
    # The same record sent again by the portal (a new offset): the figures do not move and
    # nothing is announced.
    assert feed.send(record) == 1
    assert feed.announce() == []
    assert feed.cells() == cells
    # The same Kafka record delivered again (same offset): recognised and skipped whole.
    outbox = feed.outbox()
    assert feed.apply(first) == []
    assert feed.outbox() == outbox
    assert feed.cells() == cells


def test_a_duplicate_inside_one_batch_counts_once(feed: Feed) -> None:
    record = portal_record("H1", paid=1)
    feed.send(record, record, portal_record("H2", paid=0), record)
    assert feed.figure("K3") == (1, 2)
    assert feed.figure("K2", "SGTVT", "department") == (2, 2)


def test_dossiers_received_outside_the_campaign_period_do_not_count(feed: Feed) -> None:
    feed.send(portal_record("EARLY", received="20240531235959", paid=1),
              portal_record("LATE", received="20250101000000", paid=1),
              portal_record("IN", received="20241215100000", paid=1))
    assert feed.figure("K3") == (1, 1)
    assert feed.figure("K2", "SGTVT", "department") == (1, 1)
    # A correction of NgayTiepNhan that takes it out of the period takes it out of the figures.
    feed.send(portal_record("IN", received="20250102100000", paid=1))
    assert feed.figure("K3") == (0, 0)
    assert feed.figure("K1") == (0, 6)


def test_a_dossier_not_yet_received_does_not_count(feed: Feed) -> None:
    feed.send(portal_record("REG", status=1, paid=1),  # registered, not received yet
              portal_record("NODATE", status=2, received=None, paid=1))  # no NgayTiepNhan
    assert feed.figure("K2") in (None, (0, 0))
    assert feed.figure("K1") == (0, 6)
    feed.send(portal_record("REG", status=2, paid=1))  # now received
    assert feed.figure("K2") == (1, 1) and feed.figure("K3") == (1, 1)


def test_a_dossier_not_accepted_does_not_count(feed: Feed) -> None:
    feed.send(portal_record("NO", status=3, paid=1))
    assert feed.figure("K2") in (None, (0, 0))
    feed.send(portal_record("LATER", status=4, paid=1))
    assert feed.figure("K2") == (1, 1)
    feed.send(portal_record("LATER", status=3, paid=1))  # refused after all
    assert feed.figure("K2") == (0, 0) and feed.figure("K3") == (0, 0)
    assert feed.figure("K1") == (0, 6)


def test_period_boundaries_are_local_calendar_days(feed: Feed) -> None:
    feed.send(
        portal_record("FIRST", received="20240601000000"),  # first second of the period
        portal_record("LAST", received="20241231235959"),  # last second of the period
        # 06:30 local on 1 July is still 30 June in UTC: it is a July dossier.
        portal_record("DAWN", received="20240701063000"),
        portal_record("JUNE", received="20240630235959"),
    )
    assert feed.figure("K2") == (4, 4)
    month = {m: feed.figure("K2", period_kind="month", period_key=m)
             for m in ("2024-06", "2024-07", "2024-12")}
    assert month == {"2024-06": (2, 2), "2024-07": (1, 1), "2024-12": (1, 1)}
    # ISO weeks with their ISO year: 1 June 2024 is in 2024-W22, 31 Dec 2024 in 2025-W01.
    assert feed.figure("K2", period_kind="week", period_key="2024-W22") == (1, 1)
    assert feed.figure("K2", period_kind="week", period_key="2025-W01") == (1, 1)
    assert feed.figure("K2", period_kind="week", period_key="2024-W26") == (1, 1)  # 30 June
    assert feed.figure("K2", period_kind="week", period_key="2024-W27") == (1, 1)  # 1 July


def test_a_fee_exempt_dossier_leaves_the_k3_denominator(feed: Feed) -> None:
    feed.send(
        portal_record("PAID", paid=1),
        portal_record("EXEMPT", paid=0, fees=[{"Gia": 0}, {"Gia": 0, "TenPhiLePhi": "Phí"}]),
        portal_record("NO-LIST", paid=0, fees=[]),  # an empty list exempts nothing
        portal_record("MIXED", paid=0, fees=[{"Gia": 0}, {"Gia": 5000}]),
        # VT.02 carries no fees in the catalogue: never fee-bearing, whatever is listed.
        portal_record("NOFEE", procedure="GTVT.VT.02", paid=1, fees=[{"Gia": 10000}]),
    )
    assert feed.figure("K3") == (1, 3)
    assert feed.figure("K2") == (5, 5)  # K2 counts them all
    feed.send(portal_record("PAID", paid=1, fees=[{"Gia": 0}]))  # the fee is waived later
    assert feed.figure("K3") == (0, 2)


def test_k3_counts_the_campaigns_payment_methods(database_url: str) -> None:
    from campaign_contracts.campaign_file import load_campaign
    from campaign_metrics.adapters import tables as store
    from tests.support.services import fresh_database

    seed = load_campaign()
    narrowed = seed.model_copy(update={"indicators": [
        rule.model_copy(update={"settings": {"counted_payment_methods": [1]}})
        if rule.code == "K3" else rule for rule in seed.indicators
    ]})
    for campaign, expected in ((seed, (2, 3)), (narrowed, (1, 3))):
        db = fresh_database(database_url, store.metadata)
        feed = Feed(db, campaign=campaign)
        feed.send(portal_record("DVCQG", paid=1), portal_record("TINH", paid=2),
                  portal_record("KHONG", paid=0))
        assert feed.figure("K3") == expected
        db.dispose()


def test_k1_counts_online_services_with_an_online_dossier(feed: Feed) -> None:
    feed.send(
        *(portal_record(f"A{i}") for i in range(3)),  # three online dossiers, one service
        portal_record("B", procedure="GTVT.VT.02"),
        portal_record("C", procedure="GTVT.GPLX.01", channel=1),  # in person: not a use
        portal_record("D", procedure="GTVT.KCHT.01"),  # not a service of QLVT
        portal_record("E", procedure="GTVT.VT.01", received="20240805100000"),
    )
    assert feed.figure("K1") == (3, 6)
    assert feed.figure("K1", period_kind="month", period_key="2024-07") == (2, 6)
    assert feed.figure("K1", period_kind="month", period_key="2024-08") == (1, 6)
    assert feed.figure("K1", period_kind="month", period_key="2024-09") == (0, 6)
    # The Department counts distinct procedures, whoever handled them.
    assert feed.figure("K1", "SGTVT", "department") == (4, 10)
    assert feed.figure("K1", "KCHT") == (0, 3)
    # A service leaves the numerator when its last online dossier goes.
    feed.send(*(portal_record(f"A{i}", channel=1) for i in range(3)))
    assert feed.figure("K1") == (2, 6)


def test_an_officer_is_measured_on_k2_and_k3_by_the_earliest_step(feed: Feed) -> None:
    steps = [
        {"NguoiXuLy": "Lương Thị Thảo", "ThoiDiemXuLy": "20240703090000"},
        {"NguoiXuLy": "Nguyễn Thị Hương", "ThoiDiemXuLy": "20240702083000"},  # earliest
        {"NguoiXuLy": "", "ThoiDiemXuLy": "20240701080000"},  # nobody named
    ]
    feed.send(portal_record("H1", paid=1, QuaTrinhXuLy=steps))
    officer = "QLVT/Nguyễn Thị Hương"  # an officer is named by unit and name together
    assert feed.figure("K2", officer, "officer") == (1, 1)
    assert feed.figure("K3", officer, "officer") == (1, 1)
    assert feed.figure("K1", officer, "officer") is None
    assert feed.figure("K2", "QLVT/Lương Thị Thảo", "officer") is None
    assert feed.figure("K2", "Nguyễn Thị Hương", "officer") is None  # a name alone is no one


def test_an_officer_named_in_another_unicode_form_is_the_same_officer(feed: Feed) -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hương")
    feed.send(portal_record("H1", officer="Nguyễn Thị Hương"),
              portal_record("H2", officer=decomposed))
    assert feed.figure("K2", "QLVT/Nguyễn Thị Hương", "officer") == (2, 2)


def test_officers_of_the_same_name_in_two_units_are_two_officers(feed: Feed) -> None:
    feed.send(portal_record("H1", officer="Nguyễn Văn An"),
              portal_record("H2", unit="VP", procedure="GTVT.VP.01", officer="Nguyễn Văn An"))
    assert feed.figure("K2", "QLVT/Nguyễn Văn An", "officer") == (1, 1)
    assert feed.figure("K2", "VP/Nguyễn Văn An", "officer") == (1, 1)


def test_a_zero_denominator_is_not_a_rate(feed: Feed) -> None:
    feed.send(portal_record("V1", unit="VP", procedure="GTVT.VP.02", channel=1))
    assert feed.figure("K3", "VP") is None  # nothing fee-bearing: no K3 at all
    events = feed.announce()
    k2 = next(e for e in events if e["indicator"] == "K2" and e["subject_code"] == "VP"
              and e["period_key"] == CAMPAIGN_KEY)
    assert k2["figure"] == {"numerator": 0, "denominator": 1, "rate": "0.0000"}
    k1 = next(e for e in events if e["indicator"] == "K1" and e["subject_code"] == "TTRA"
              and e["period_key"] == CAMPAIGN_KEY)
    assert k1["figure"] == {"numerator": 0, "denominator": 0, "rate": None}  # no services
    assert k1["target_met"] is False


def test_the_department_sums_the_participants_and_unknown_units_are_kept(feed: Feed) -> None:
    feed.send(portal_record("X1", unit="SO-XAY-DUNG", procedure="XD.01", paid=1),
              portal_record("Q1", paid=1))
    # SO-XAY-DUNG is not in the campaign file: kept with its own figures, listed as
    # unattributed, and outside the Department's sum (domain.md, Who takes part).
    assert feed.figure("K2", "SGTVT", "department") == (1, 1)
    assert feed.figure("K2", "SO-XAY-DUNG") == (1, 1)
    assert feed.figure("K3", "SGTVT", "department") == (1, 1)
    assert feed.telemetry.unknown._value.get() == 1  # type: ignore[attr-defined]
