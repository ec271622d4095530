"""The procedure catalogue: read from the CSV of domain.md, versioned by its content, recorded
as an event; a new version recomputes every figure, records it does not know are kept and
listed, and a new campaign file recomputes too."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path
from campaign_metrics.adapters import tables as store
from campaign_metrics.adapters.projection import MetricsProjection
from campaign_metrics.adapters.queries import unknown_dossiers
from campaign_metrics.domain.catalogue import Catalogue, CatalogueError, parse_catalogue
from tests.metrics.support import CAMPAIGN_KEY, TOPICS, Feed, seed_catalogue
from tests.support.records import portal_record
from tests.support.services import fresh_database

SEED = seed_path(SEED_CATALOGUE).read_bytes()
HEADER = b"MaTTHC,TenTTHC,DonVi,MucDoDVC,CoPhiLePhi\n"


def test_the_seed_catalogue_reads_with_its_lookups() -> None:
    catalogue = parse_catalogue(SEED)
    assert len(catalogue.entries) == 11
    assert catalogue.online_services("QLVT") == {
        "GTVT.GPLX.01", "GTVT.GPLX.02", "GTVT.GPLX.03", "GTVT.VT.01", "GTVT.VT.02", "GTVT.PT.01"}
    assert len(catalogue.online_procedures) == 10
    assert catalogue.has_fees("GTVT.GPLX.02") and not catalogue.has_fees("GTVT.VT.02")
    assert catalogue.unknown_reason("QLVT", "GTVT.GPLX.02") is None
    assert catalogue.unknown_reason("QLVT", "GTVT.KCHT.01") == "procedure_not_handled_by_unit"
    assert catalogue.unknown_reason("QLVT", "X") == "procedure_not_in_catalogue"
    assert catalogue.unknown_reason("SXD", "GTVT.KCHT.01") == "unit_not_in_catalogue"


def test_the_version_is_the_content_not_the_bytes() -> None:
    lines = SEED.decode("utf-8").splitlines()
    shuffled = "\r\n".join([lines[0], *reversed(lines[1:])]) + "\r\n"
    same = parse_catalogue(b"\xef\xbb\xbf" + shuffled.encode("utf-8"))
    assert same.version == parse_catalogue(SEED).version
    changed = parse_catalogue(SEED.replace(b"QLVT,toan_trinh,0", b"QLVT,toan_trinh,1"))
    assert changed.version != same.version and len(changed.version) == 12


def test_names_are_stored_nfc() -> None:
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Cấp lại Giấy phép lái xe").encode("utf-8")
    catalogue = parse_catalogue(HEADER + b"P1," + decomposed + b",QLVT,mot_phan,1\n")
    assert catalogue.entries[0].procedure_name == "Cấp lại Giấy phép lái xe"


@pytest.mark.parametrize(("content", "message", "reason"), [
    (b"MaTTHC,Ten,DonVi,MucDoDVC,CoPhiLePhi\n", "dòng tiêu đề", "catalogue_bad_header"),
    (HEADER + b"P1,Name,QLVT,online,1\n", "dòng 2: MucDoDVC phải là", "catalogue_bad_row"),
    (HEADER + b"P1,Name,QLVT,mot_phan,yes\n", "dòng 2: CoPhiLePhi phải là 0 hoặc 1",
     "catalogue_bad_row"),
    (HEADER + b",Name,QLVT,mot_phan,1\n", "dòng 2: thiếu MaTTHC hoặc DonVi", "catalogue_bad_row"),
    (HEADER + b"P1,Name,QLVT,mot_phan\n", "dòng 2: cần đúng 5 cột", "catalogue_bad_row"),
    (HEADER + b"P1,A,QLVT,mot_phan,1\nP1,B,QLVT,khong,0\n",
     "dòng 3: P1 của QLVT lặp lại dòng 2", "catalogue_duplicate_row"),
    (b"\xff\xfe", "không phải UTF-8", "catalogue_not_utf8"),
])
def test_a_bad_catalogue_is_refused_naming_the_line(content: bytes, message: str,
                                                    reason: str) -> None:
    with pytest.raises(CatalogueError, match=message) as refused:
        parse_catalogue(content)
    assert refused.value.reason == reason


def test_an_event_whose_entries_do_not_match_its_version_is_refused() -> None:
    event = parse_catalogue(SEED).to_event("seed")
    tampered = event.model_copy(update={"entries": event.entries[:-1]})
    with pytest.raises(CatalogueError, match="mã băm"):
        Catalogue.from_event(tampered)
    assert Catalogue.from_event(event).version == event.version


def test_a_new_catalogue_recomputes_every_figure_and_is_announced(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=1), portal_record("H2", paid=0),
              portal_record("H3", procedure="GTVT.VT.02", paid=1))
    feed.announce()
    assert feed.figure("K3") == (1, 2) and feed.figure("K1") == (2, 6)
    # GPLX.02 loses its fees and is no longer online; VT.02 gains fees.
    content = (SEED.replace(b"QLVT,toan_trinh,1\nGTVT.GPLX.03", b"QLVT,khong,0\nGTVT.GPLX.03")
               .replace(b"QLVT,toan_trinh,0", b"QLVT,toan_trinh,1"))
    new = parse_catalogue(content)
    feed.load(new)
    assert feed.figure("K3") == (1, 1)  # only H3 (VT.02) is fee-bearing now
    assert feed.figure("K1") == (1, 5)  # GPLX.02 is not an online service any more
    assert feed.figure("K2") == (3, 3)  # K2 does not read the catalogue
    events = feed.announce()
    k3 = next(e for e in events if e["indicator"] == "K3" and e["subject_code"] == "QLVT"
              and e["period_key"] == CAMPAIGN_KEY)
    assert k3["catalogue_version"] == new.version
    assert k3["previous"] == {"numerator": 1, "denominator": 2, "rate": "0.5000"}
    # Unchanged figures are announced too: they now rest on the new catalogue.
    assert any(e["indicator"] == "K2" and e["subject_code"] == "QLVT" for e in events)
    # The same version again is nothing new.
    cells = feed.cells()
    feed.load(new)
    assert feed.cells() == cells and feed.announce() == []


def test_records_the_catalogue_does_not_know_are_kept_and_listed(feed: Feed) -> None:
    feed.send(portal_record("N1", procedure="GTVT.MOI.01", paid=1),
              portal_record("N2", unit="SO-MOI", paid=1), portal_record("OK", paid=1))
    with feed.db.begin() as connection:
        defs = feed.projection.definitions(connection)
        assert defs is not None
        listed, token = unknown_dossiers(connection, defs)
    assert token == ""
    assert [(d.dossier_code, d.reason, d.source) for d in listed] == [
        ("N1", "procedure_not_in_catalogue", "portal.dossier-records.v1/0/0"),
        ("N2", "unit_not_in_catalogue", "portal.dossier-records.v1/0/1"),
    ]
    assert feed.figure("K2") == (2, 2)  # kept: they count where the catalogue is not needed
    assert feed.figure("K3") == (1, 1)  # GTVT.MOI.01's fees are unknown yet
    # The catalogue catches up: N1 is known now, and fee-bearing.
    feed.load(parse_catalogue(SEED + b"GTVT.MOI.01,Thu tuc moi,QLVT,toan_trinh,1\n"))
    with feed.db.begin() as connection:
        defs = feed.projection.definitions(connection)
        assert defs is not None
        listed, _ = unknown_dossiers(connection, defs)
    assert [d.dossier_code for d in listed] == ["N2"]
    assert feed.figure("K3") == (2, 2) and feed.figure("K1") == (2, 7)


def test_a_new_campaign_file_recomputes_at_start(database_url: str) -> None:
    db = fresh_database(database_url, store.metadata)
    feed = Feed(db)
    feed.send(portal_record("A", paid=1), portal_record("B", paid=2))
    assert feed.figure("K3") == (2, 2)
    seed = load_campaign()
    narrowed = seed.model_copy(update={"version": "2024.2", "indicators": [
        rule.model_copy(update={"settings": {"counted_payment_methods": [1]}})
        if rule.code == "K3" else rule for rule in seed.indicators
    ]})
    restarted = MetricsProjection(narrowed, TOPICS, feed.telemetry)
    with db.begin() as connection:
        assert restarted.ensure_campaign(connection)
    assert feed.figure("K3") == (1, 2)  # payment through the provincial gateway not counted
    with db.begin() as connection:
        versions = {(r.campaign_version, r.catalogue_version)
                    for r in connection.execute(select(store.indicator_cells))}
        assert not restarted.ensure_campaign(connection)  # once is enough
    assert versions == {("2024.2", seed_catalogue().version)}
    db.dispose()
