"""The optional on-time indicator (tỷ lệ hồ sơ giải quyết đúng hạn, domain.md): one plug-in module
plus YAML. A campaign file that declares it (K4 here) gets it in every query, event and gauge;
the seed campaign, which does not, is left as it was. Its own traps and a property check
against a plain recomputation from domain.md's definition."""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prometheus_client import generate_latest

from campaign_contracts.campaign_file import SEED_CAMPAIGN, Campaign, load_campaign, seed_path
from campaign_contracts.portal_record import RecordRejected, parse_portal_record
from campaign_kit.db import Database
from campaign_metrics.adapters import tables as store
from campaign_metrics.adapters.projection import MetricsProjection
from campaign_metrics.adapters.queries import get_indicators
from campaign_metrics.app import build_components
from campaign_metrics.settings import MetricsSettings
from tests.metrics.support import CAMPAIGN_KEY, TOPICS, Feed
from tests.support.records import portal_record
from tests.support.services import fresh_database

K4 = {"code": "K4", "name": "Tỷ lệ hồ sơ giải quyết đúng hạn", "kind": "on_time",
      "target": "0.95", "points": 20}


def campaign_file(tmp_path: Path, *extra: dict[str, Any]) -> Path:
    """The seed campaign file with more indicators declared, as a province would write it."""
    data = yaml.safe_load(seed_path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
    data["indicators"].extend(extra)
    data["version"] = "2024.1-k4"
    path = tmp_path / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def with_k4(database_url: str, tmp_path: Path) -> Iterator[Feed]:
    db = fresh_database(database_url, store.metadata)
    yield Feed(db, campaign=load_campaign(campaign_file(tmp_path, K4)))
    db.dispose()


def done(code: str, *, finished: str | None, due: str | None = "20240710170000",
         status: int = 10, **more: Any) -> dict[str, Any]:
    record = portal_record(code, status=status, **more)
    if finished is not None:
        record["NgayKetThucXuLy"] = finished
    if due is not None:
        record["NgayHenTra"] = due
    return record


def test_on_time_counts_processed_dossiers_finished_by_their_due_time(with_k4: Feed) -> None:
    with_k4.send(
        done("IN-TIME", finished="20240709100000"),
        done("ON-THE-DOT", finished="20240710170000", status=9),  # not after: on time
        done("LATE", finished="20240710170001"),
        done("STILL-OPEN", finished="20240709100000", status=4),  # not processed
        done("NO-DUE", finished="20240709100000", due=None),  # both times needed
        done("NO-END", finished=None),
    )
    assert with_k4.figure("K4") == (2, 3)
    assert with_k4.figure("K4", "SGTVT", "department") == (2, 3)
    # Re-synced late: it moves out of the numerator, not into a second row.
    with_k4.send(done("IN-TIME", finished="20240711080000"))
    assert with_k4.figure("K4") == (1, 3)


def test_a_dossier_belongs_to_the_period_it_was_finished_in(with_k4: Feed) -> None:
    # Received on 28 June, finished on 2 July: K2 counts it in June, K4 in July.
    with_k4.send(done("H1", received="20240628080000", finished="20240702090000",
                      due="20240705170000", officer="Nguyễn Thị Hương"))
    assert with_k4.figure("K2", period_kind="month", period_key="2024-06") == (1, 1)
    assert with_k4.figure("K4", period_kind="month", period_key="2024-06") is None
    assert with_k4.figure("K4", period_kind="month", period_key="2024-07") == (1, 1)
    assert with_k4.figure("K4", period_kind="week", period_key="2024-W27") == (1, 1)
    assert with_k4.figure("K4", "QLVT/Nguyễn Thị Hương", "officer") == (1, 1)
    # Finished after the campaign: in no period of it.
    with_k4.send(done("H2", finished="20250102090000", due="20250101170000"))
    assert with_k4.figure("K4") == (1, 1)


def test_a_campaign_declaring_it_gets_it_in_queries_events_and_gauges(with_k4: Feed) -> None:
    with_k4.send(done("H1", finished="20240709100000"), done("H2", finished="20240711100000"))
    with with_k4.db.begin() as connection:
        defs = with_k4.projection.definitions(connection)
        assert defs is not None
        views = get_indicators(connection, defs, subject_kind="unit", subject_code="QLVT",
                               period_kind="", period_key="", indicators=[])
        officer = get_indicators(connection, defs, subject_kind="officer",
                                 subject_code="QLVT/Nguyễn Thị Hương", period_kind="",
                                 period_key="", indicators=[])
    assert [(v.indicator, v.numerator, v.denominator, v.rate) for v in views][-1] == (
        "K4", 1, 2, "0.5000")
    assert views[-1].name == "Tỷ lệ hồ sơ giải quyết đúng hạn"
    assert views[-1].counted_unit == "hồ sơ" and views[-1].target == "0.95"
    assert [v.indicator for v in officer] == ["K2", "K3", "K4"]
    events = [e for e in with_k4.announce() if e["indicator"] == "K4"
              and e["subject_code"] == "QLVT" and e["period_key"] == CAMPAIGN_KEY]
    assert [(e["figure"]["numerator"], e["figure"]["denominator"], e["indicator_name"],
             e["counted_unit"], e["target_met"]) for e in events] == [
        (1, 2, "Tỷ lệ hồ sơ giải quyết đúng hạn", "hồ sơ", False)]
    scraped = generate_latest(with_k4.registry).decode("utf-8")
    assert ('indicator_rate{indicator="K4",subject_code="QLVT",subject_kind="unit"} 0.5'
            in scraped)


def test_a_campaign_that_stops_declaring_it_drops_its_figures(with_k4: Feed) -> None:
    with_k4.send(done("H1", finished="20240709100000"))
    assert with_k4.figure("K4") == (1, 1)
    seed = MetricsProjection(load_campaign(), TOPICS, with_k4.telemetry)
    with with_k4.db.begin() as connection:
        assert seed.ensure_campaign(connection)
    assert {key[0] for key in with_k4.cells()} == {"K1", "K2", "K3"}
    assert all(e["indicator"] != "K4" for e in with_k4.announce())


def test_the_seed_campaign_has_no_on_time_figures_and_k1_counts_services(feed: Feed) -> None:
    feed.send(done("H1", finished="20240709100000"))
    assert {key[0] for key in feed.cells()} == {"K1", "K2", "K3"}
    events = feed.announce()
    units = {e["indicator"]: e["counted_unit"] for e in events}
    assert units == {"K1": "dịch vụ", "K2": "hồ sơ", "K3": "hồ sơ"}


def test_an_unknown_kind_or_a_bad_setting_stops_the_start_with_one_line(
    tmp_path: Path
) -> None:
    bad_kind = campaign_file(tmp_path, {**K4, "kind": "on_tine"})
    with pytest.raises(SystemExit) as stopped:
        build_components(MetricsSettings(campaign_file=bad_kind, data_dir=tmp_path))
    message = str(stopped.value)
    assert "K4: unknown kind 'on_tine'" in message and "on_time" in message
    assert "\n" not in message
    data = yaml.safe_load(seed_path(SEED_CAMPAIGN).read_text(encoding="utf-8"))
    data["indicators"][2]["settings"] = {"counted_payment_method": [1]}  # misspelt
    path = tmp_path / "misspelt.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SystemExit, match=r"K3 \(online_payment\): settings\."
                       r"counted_payment_method: Extra inputs"):
        build_components(MetricsSettings(campaign_file=path, data_dir=tmp_path))


# --- property: the incremental figures equal a plain recomputation -------------------------

DAYS = [date(2024, 5, 31), date(2024, 6, 1), date(2024, 7, 31), date(2024, 8, 1),
        date(2024, 12, 31), date(2025, 1, 1)]
TIMES = ["000000", "120000", "235959"]


def _stamp(day: date, at: str) -> str:
    return f"{day:%Y%m%d}{at}"


@st.composite
def finished_records(draw: st.DrawFn) -> dict[str, Any]:
    record = portal_record(
        draw(st.sampled_from([f"D{i}" for i in range(6)])),
        unit=draw(st.sampled_from(["QLVT", "VP", "NGOAI-CHIEN-DICH"])),
        status=draw(st.integers(1, 10)),
        received=draw(st.one_of(st.none(), st.just("20240702083000"))),
        officer=draw(st.sampled_from([None, "Nguyễn Thị Hương", "Vi Văn Thắng"])),
    )
    for field in ("NgayKetThucXuLy", "NgayHenTra"):
        if draw(st.booleans()):
            record[field] = _stamp(draw(st.sampled_from(DAYS)), draw(st.sampled_from(TIMES)))
    return record


def expected_k4(final: list[dict[str, Any]], campaign: Campaign
                ) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    """K4 straight from domain.md's words, over each dossier's final record."""
    start, end = campaign.period.start, campaign.period.end
    participants = {u.code for u in campaign.units}
    sums: dict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for record in final:
        finished, due = record.get("NgayKetThucXuLy"), record.get("NgayHenTra")
        if record["TrangThaiHoSo"] not in (9, 10) or not finished or not due:
            continue
        day = datetime.strptime(finished, "%Y%m%d%H%M%S").date()
        if not start <= day <= end:
            continue
        year, week, _ = day.isocalendar()
        periods = [("campaign", f"{start}..{end}"), ("month", f"{day:%Y-%m}"),
                   ("week", f"{year}-W{week:02d}")]
        unit = record["DonViXuLy"]
        subjects = [("unit", unit)]
        if unit in participants:
            subjects.append(("department", campaign.department_code))
        steps = record.get("QuaTrinhXuLy") or []
        if steps:
            subjects.append(("officer", f"{unit}/{steps[0]['NguoiXuLy']}"))
        for kind, code in subjects:
            for period in periods:
                cell = sums[(kind, code, *period)]
                cell[1] += 1
                cell[0] += finished <= due  # same fixed-width local times: text order is time
    return {cell: (n, d) for cell, (n, d) in sums.items()}


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(records=st.lists(finished_records(), min_size=1, max_size=25),
       size=st.integers(1, 7))
def test_on_time_equals_a_plain_recomputation(
    db: Database, tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]],
    size: int,
) -> None:
    db.drop_schema()
    db.create_schema()
    campaign = load_campaign(campaign_file(tmp_path_factory.mktemp("k4"), K4))
    feed = Feed(db, campaign=campaign, emit_accepted=False)
    for start in range(0, len(records), size):
        feed.send(*records[start:start + size])
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        try:
            parse_portal_record(json.dumps(record, ensure_ascii=False))
        except RecordRejected:
            continue
        latest[unicodedata.normalize("NFC", record["MaHoSo"])] = record
    got = {key[1:]: figure for key, figure in feed.cells().items()
           if key[0] == "K4" and figure != (0, 0)}
    assert got == expected_k4(list(latest.values()), campaign)
