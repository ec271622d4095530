"""Property: whatever the feed — re-syncs, duplicates, redeliveries, bad records, dossiers
moving between units, periods and officers, a catalogue change on the way, any cut into
batches — the incremental projection ends with the figures a plain recomputation from each
dossier's final record gives. The recomputation below is written from domain.md alone; it
shares nothing with the service but the validation of the inbound record."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from campaign_contracts.campaign_file import SEED_CATALOGUE, load_campaign, seed_path
from campaign_contracts.portal_record import RecordRejected, parse_portal_record
from campaign_kit.db import Database
from campaign_metrics.domain.catalogue import parse_catalogue
from tests.metrics.support import Feed

CAMPAIGN = load_campaign()
START, END = CAMPAIGN.period.start, CAMPAIGN.period.end
DEPARTMENT = CAMPAIGN.department_code
SEED_ROWS = list(csv.DictReader(io.StringIO(seed_path(SEED_CATALOGUE).read_text("utf-8"))))
UNITS = ["QLVT", "VP", "KCHT", "TTRA", "DON-VI-MOI"]
PROCEDURES = [*sorted({r["MaTTHC"] for r in SEED_ROWS}), "GTVT.MOI.01"]
OFFICERS = ["Nguyễn Thị Hương", unicodedata.normalize("NFD", "Nguyễn Thị Hương"),
            "Hoàng Văn Đức", "Vi Văn Thắng"]
# Days around every boundary: the period's ends, month ends, ISO year end.
DAYS = [date(2024, 5, 31), date(2024, 6, 1), date(2024, 6, 30), date(2024, 7, 1),
        date(2024, 9, 30), date(2024, 12, 29), date(2024, 12, 30), date(2024, 12, 31),
        date(2025, 1, 1)]
TIMES = ["000000", "063000", "235959"]

Cell = tuple[str, str, str, str, str]


# --- the plain recomputation ----------------------------------------------------------------


def _periods(day: date) -> list[tuple[str, str]]:
    year, week, _ = day.isocalendar()
    return [("campaign", f"{START.isoformat()}..{END.isoformat()}"),
            ("month", day.strftime("%Y-%m")), ("week", f"{year}-W{week:02d}")]


def _all_periods() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    day = START
    while day <= END:
        found.update(_periods(day))
        day += timedelta(days=1)
    return found


def expected_figures(final: list[dict[str, Any]], rows: list[dict[str, str]]
                     ) -> dict[Cell, tuple[int, int]]:
    """Each indicator straight from its definition, over each dossier's final record."""
    fees = {r["MaTTHC"] for r in rows if r["CoPhiLePhi"] == "1"}
    online = {(r["DonVi"], r["MaTTHC"]) for r in rows if r["MucDoDVC"] in ("toan_trinh",
                                                                           "mot_phan")}
    counted = set(CAMPAIGN.indicator("K3").settings["counted_payment_methods"])
    participants = {u.code for u in CAMPAIGN.units}
    sums: dict[Cell, list[int]] = defaultdict(lambda: [0, 0])
    used: set[tuple[str, str, str, str, str]] = set()  # (kind, code, procedure, period)
    for record in final:
        received = record.get("NgayTiepNhan")
        if not received or record["TrangThaiHoSo"] in (1, 3):
            continue
        day = datetime.strptime(received, "%Y%m%d%H%M%S").date()  # already local time
        if not START <= day <= END:
            continue
        unit = unicodedata.normalize("NFC", record["DonViXuLy"])
        procedure = record["MaTTHC"]
        # The Department is the sum over the campaign file's units (domain.md, Who takes part).
        subjects = [("unit", unit)] + ([("department", DEPARTMENT)] if unit in participants
                                       else [])
        steps = [(s["ThoiDiemXuLy"], i, s["NguoiXuLy"])
                 for i, s in enumerate(record.get("QuaTrinhXuLy", []))
                 if s.get("NguoiXuLy") and s.get("ThoiDiemXuLy")]
        if steps:
            name = unicodedata.normalize("NFC", min(steps)[2])
            subjects.append(("officer", f"{unit}/{name}"))  # an officer is unit and name
        listed = record.get("DanhSachLePhi") or []
        exempt = bool(listed) and all(f["Gia"] == 0 for f in listed)
        for kind, code in subjects:
            for period in _periods(day):
                k2 = sums[("K2", kind, code, *period)]
                k2[1] += 1
                k2[0] += record["KenhThucHien"] == 2
                if procedure in fees and not exempt:
                    k3 = sums[("K3", kind, code, *period)]
                    k3[1] += 1
                    k3[0] += record["DuocThanhToanTrucTuyen"] in counted
                if record["KenhThucHien"] == 2 and kind != "officer":
                    used.add((kind, code, procedure, *period))
    figures = {cell: (n, d) for cell, (n, d) in sums.items()}
    units = {u.code for u in CAMPAIGN.units} | {r["DonVi"] for r in rows}
    every_online = {p for u, p in online if u in participants}
    for kind, code in [("department", DEPARTMENT), *(("unit", u) for u in units)]:
        services = every_online if kind == "department" else {p for u, p in online if u == code}
        for period in _all_periods():
            numerator = sum((kind, code, p, *period) in used for p in services)
            figures[("K1", kind, code, *period)] = (numerator, len(services))
    return figures


# --- random feeds ---------------------------------------------------------------------------


@st.composite
def portal_records(draw: st.DrawFn) -> dict[str, Any]:
    day = draw(st.sampled_from(DAYS))
    record: dict[str, Any] = {
        "MaHoSo": draw(st.sampled_from([f"HS-{i}" for i in range(8)])),
        "MaTTHC": draw(st.sampled_from(PROCEDURES)),
        "DonViXuLy": draw(st.sampled_from(UNITS)),
        "KenhThucHien": draw(st.sampled_from([1, 2, 2, 3])),
        "TrangThaiHoSo": draw(st.integers(1, 10)),
        "DuocThanhToanTrucTuyen": draw(st.sampled_from([0, 1, 2])),
    }
    record["NgayTiepNhan"] = f"{day:%Y%m%d}{draw(st.sampled_from(TIMES))}"
    if draw(st.integers(0, 9)) == 0:
        del record["NgayTiepNhan"]
    fees = draw(st.sampled_from([None, [], [0], [0, 0], [15000], [0, 5000]]))
    if fees is not None:
        record["DanhSachLePhi"] = [{"TenPhiLePhi": "Lệ phí", "Gia": g} for g in fees]
    steps = draw(st.lists(st.tuples(st.sampled_from([*OFFICERS, ""]),
                                    st.sampled_from(DAYS), st.sampled_from(TIMES)),
                          max_size=3))
    if steps:
        record["QuaTrinhXuLy"] = [{"NguoiXuLy": who, "ThoiDiemXuLy": f"{d:%Y%m%d}{t}"}
                                  for who, d, t in steps]
    return record


BAD = [b'{"MaHoSo": "HS-1", "broken"', b'{"MaHoSo": "HS-2"}', b"[]",
       json.dumps({"MaHoSo": "HS-3", "MaTTHC": "X", "DonViXuLy": "VP", "KenhThucHien": 2,
                   "TrangThaiHoSo": 2, "NgayTiepNhan": "2024-07-01"}).encode()]


@st.composite
def feeds(draw: st.DrawFn) -> tuple[list[bytes], list[int], list[int], int | None]:
    """Records (as sent), batch sizes, batches to deliver twice, where the catalogue changes."""
    values: list[bytes] = []
    for _ in range(draw(st.integers(1, 40))):
        roll = draw(st.integers(0, 19))
        if roll == 0:
            values.append(draw(st.sampled_from(BAD)))
        elif roll == 1 and values:
            values.append(draw(st.sampled_from(values)))  # the portal sends one again
        else:
            values.append(json.dumps(draw(portal_records()), ensure_ascii=False).encode())
    sizes = draw(st.lists(st.integers(1, 12), min_size=1, max_size=len(values)))
    again = draw(st.lists(st.integers(0, len(sizes) - 1), max_size=3))
    change = draw(st.one_of(st.none(), st.integers(0, len(sizes))))
    return values, sizes, again, change


def changed_catalogue() -> tuple[bytes, list[dict[str, str]]]:
    """The seed with fees and online levels moved about, a row gone and one more."""
    rows = [dict(r) for r in SEED_ROWS[1:]]
    for row in rows[::3]:
        row["CoPhiLePhi"] = "0" if row["CoPhiLePhi"] == "1" else "1"
        row["MucDoDVC"] = "khong" if row["MucDoDVC"] != "khong" else "toan_trinh"
    rows.append({"MaTTHC": "GTVT.MOI.01", "TenTTHC": "Thủ tục mới", "DonVi": "TTRA",
                 "MucDoDVC": "toan_trinh", "CoPhiLePhi": "1"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(SEED_ROWS[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8"), rows


# --- the property ---------------------------------------------------------------------------


def _final_records(values: list[bytes]) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for value in values:
        try:
            parse_portal_record(value)  # the shared validation decides what is accepted
        except RecordRejected:
            continue
        record = json.loads(value)
        latest[unicodedata.normalize("NFC", record["MaHoSo"])] = record
    return list(latest.values())


def _batches(values: list[bytes], sizes: list[int]) -> Iterator[list[bytes]]:
    start, i = 0, 0
    while start < len(values):
        size = sizes[i % len(sizes)]
        yield values[start:start + size]
        start += size
        i += 1


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(feed=feeds())
def test_the_projection_equals_a_plain_recomputation(
    db: Database, feed: tuple[list[bytes], list[int], list[int], int | None]
) -> None:
    values, sizes, again, change = feed
    db.drop_schema()
    db.create_schema()
    projection = Feed(db, emit_accepted=False)
    rows = SEED_ROWS
    sent = []
    for number, batch in enumerate(_batches(values, sizes)):
        if number == change:
            content, rows = changed_catalogue()
            projection.load(parse_catalogue(content))
        records = projection.records(*batch)
        projection.apply(records)
        sent.append(records)
        if number in again:  # delivered twice: the second time changes nothing
            projection.apply(records)
    if change is not None and change >= len(sent):
        content, rows = changed_catalogue()
        projection.load(parse_catalogue(content))
    expected = {cell: figure for cell, figure in expected_figures(_final_records(values),
                                                                  rows).items()}
    assert projection.nonzero_cells() == expected
