"""The read side: one subject's figures over a period (stored, or 0/0 when no dossier reached
the cell), the stored cells filtered and paged, and the command line printing the same as a
table and as JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from campaign_metrics.adapters.cli import main
from campaign_metrics.adapters.queries import QueryError, get_indicators, list_indicators
from campaign_metrics.domain.definitions import Definitions
from tests.metrics.support import CAMPAIGN_KEY, Feed
from tests.support.records import portal_record


def _defs(feed: Feed) -> Definitions:
    with feed.db.begin() as connection:
        defs = feed.projection.definitions(connection)
    assert defs is not None
    return defs


def _get(feed: Feed, **question: object) -> list[tuple[str, int, int, str]]:
    asked = {"subject_kind": "unit", "subject_code": "", "period_kind": "", "period_key": "",
             "indicators": [], **question}
    with feed.db.begin() as connection:
        views = get_indicators(connection, _defs(feed), **asked)  # type: ignore[arg-type]
    return [(v.indicator, v.numerator, v.denominator, v.rate) for v in views]


def test_one_subject_over_one_period(feed: Feed) -> None:
    feed.send(portal_record("H1", paid=1, officer="Nguyễn Thị Hương"),
              portal_record("H2", paid=0, channel=1))
    assert _get(feed, subject_code="QLVT") == [
        ("K1", 1, 6, "0.1667"), ("K2", 1, 2, "0.5000"), ("K3", 1, 2, "0.5000")]
    # A month no dossier reached: zeros, K1 against the unit's online services, n/a elsewhere.
    assert _get(feed, subject_code="QLVT", period_kind="month", period_key="2024-09") == [
        ("K1", 0, 6, "0.0000"), ("K2", 0, 0, ""), ("K3", 0, 0, "")]
    assert _get(feed, subject_code="QLVT/Nguyễn Thị Hương", subject_kind="officer") == [
        ("K2", 1, 1, "1.0000"), ("K3", 1, 1, "1.0000")]
    assert _get(feed, subject_kind="department", indicators=["K3"]) == [("K3", 1, 2, "0.5000")]
    assert _get(feed, subject_code="TTRA") == [("K1", 0, 0, ""), ("K2", 0, 0, ""),
                                               ("K3", 0, 0, "")]


@pytest.mark.parametrize(("question", "message", "reason", "not_found"), [
    ({"subject_code": "NOWHERE"}, "không có đơn vị 'NOWHERE'", "unknown_unit", True),
    ({"subject_code": ""}, "cần mã đối tượng", "subject_required", False),
    ({"subject_code": "QLVT", "period_kind": "month", "period_key": "2024-05"},
     "không có tháng '2024-05'", "unknown_period", False),
    ({"subject_code": "QLVT", "period_kind": "week", "period_key": "2024-27"},
     "không có tuần", "unknown_period", False),
    ({"subject_code": "QLVT", "period_kind": "year"}, "không phải một trong", "bad_kind", False),
    ({"subject_kind": "officer", "subject_code": "A", "indicators": ["K1"]},
     "chỉ số K1 không áp dụng cho cán bộ", "not_applicable", False),
    ({"subject_code": "QLVT", "indicators": ["K9"]}, "không có chỉ số K9", "unknown_indicator",
     False),
    ({"subject_kind": "department", "subject_code": "SXD"}, "mã của Sở là 'SGTVT'",
     "unknown_department", True),
    ({"subject_kind": "officer", "subject_code": "QLVT/Không Có Ai"}, "không có cán bộ",
     "unknown_officer", True),
])
def test_a_question_that_cannot_be_answered_says_why(
    feed: Feed, question: dict[str, object], message: str, reason: str, not_found: bool
) -> None:
    with pytest.raises(QueryError, match=message) as raised:
        _get(feed, **question)
    assert (raised.value.reason, raised.value.not_found) == (reason, not_found)


def test_stored_cells_are_listed_filtered_and_paged(feed: Feed) -> None:
    feed.send(*(portal_record(f"H{i}", paid=1) for i in range(3)))
    defs = _defs(feed)
    seen: list[tuple[str, str, str]] = []
    token = ""
    with feed.db.begin() as connection:
        while True:
            page, token = list_indicators(connection, defs, subject_kind="unit",
                                          subject_code="QLVT", indicators=["K2", "K3"],
                                          page_size=2, page_token=token)
            seen.extend((v.indicator, v.period_kind, v.period_key) for v in page)
            if not token:
                break
    assert seen == [("K2", "campaign", CAMPAIGN_KEY), ("K3", "campaign", CAMPAIGN_KEY),
                    ("K2", "month", "2024-07"), ("K3", "month", "2024-07"),
                    ("K2", "week", "2024-W27"), ("K3", "week", "2024-W27")]


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_the_command_line_prints_the_figures_as_a_table_and_as_json(
    feed: Feed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", str(feed.db.engine.url.render_as_string(False)))
    feed.send(portal_record("H1", paid=1), portal_record("H2", paid=0),
              portal_record("N1", procedure="GTVT.MOI.01"))
    code, table = _cli("indicators", "--subject", "QLVT")
    assert code == 0
    lines = table.splitlines()
    assert [c.strip() for c in lines[0].split("  ") if c.strip()] == [
        "Chỉ số", "Đối tượng", "Kỳ", "Tử số", "Mẫu số", "Đếm", "Tỷ lệ", "Chỉ tiêu", "Kết quả",
        "Phiên bản"]
    k3 = [c.strip() for c in lines[4].split("  ") if c.strip()]
    assert k3[:9] == ["K3", "QLVT – Phòng Quản lý vận tải, phương tiện và người lái",
                      "cả đợt 01/06/2024–31/12/2024", "1", "2", "hồ sơ", "50,00%", "45%", "đạt"]
    k1 = [c.strip() for c in lines[2].split("  ") if c.strip()]
    assert k1[3:7] == ["1", "6", "dịch vụ", "16,67%"]
    assert "K3: Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG" in table
    code, text = _cli("indicators", "--subject", "QLVT", "--json")
    assert code == 0
    data = json.loads(text)
    assert [(d["indicator"], d["numerator"], d["denominator"], d["rate"]) for d in data] == [
        ("K1", 1, 6, "0.1667"), ("K2", 3, 3, "1.0000"), ("K3", 1, 2, "0.5000")]
    code, text = _cli("indicators", "--subject-kind", "unit", "--period-kind", "week",
                      "--indicator", "K2", "--json")
    assert {(d["subject_code"], d["period_key"]) for d in json.loads(text)} == {
        ("QLVT", "2024-W27")}
    code, text = _cli("unknown", "--json")
    assert [d["dossier_code"] for d in json.loads(text)] == ["N1"]
    code, text = _cli("catalogue", "show")
    assert code == 0 and "GTVT.GPLX.02  QLVT   toan_trinh" in text
    code, _ = _cli("indicators", "--subject", "QLVT", "--period-kind", "month",
                   "--period", "2023-01")
    assert code == 1


def test_the_command_line_refuses_what_does_not_exist_in_one_line(
    feed: Feed, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", str(feed.db.engine.url.render_as_string(False)))
    feed.send(portal_record("H1", officer="Nguyễn Thị Hương"),
              portal_record("X1", unit="SO-XAY-DUNG", procedure="XD.01"),
              portal_record("X2", unit="SO-XAY-DUNG", procedure="XD.01"))
    capsys.readouterr()
    for argv, said in (
        (["indicators", "--subject", "QLVTT"], "lỗi: không có đơn vị 'QLVTT'"),
        (["indicators", "--subject-kind", "officer", "--subject", "Nguyễn Thị Hương"],
         "không có cán bộ"),
        (["indicators", "--subject-kind", "officer", "--subject", "VP/Nguyễn Thị Hương"],
         "không có cán bộ"),
    ):
        code, printed = _cli(*argv)
        error = capsys.readouterr().err
        assert (code, printed) == (1, "")
        assert said in error and error.count("\n") == 1
    code, printed = _cli("indicators", "--subject-kind", "officer",
                         "--subject", "QLVT/Nguyễn Thị Hương")
    assert code == 0 and "QLVT/Nguyễn Thị Hương" in printed
    code, printed = _cli("unattributed")
    assert code == 0 and "SO-XAY-DUNG" in printed and printed.splitlines()[2].split()[1] == "2"


def test_an_empty_data_directory_is_said_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "nowhere"))
    code, printed = _cli("indicators", "--subject", "QLVT")
    error = capsys.readouterr().err
    assert (code, printed) == (1, "")
    assert "chưa có số liệu" in error and "DATA_DIR" in error and error.count("\n") == 1
    assert not (tmp_path / "nowhere").exists()  # nothing made where it looked


def test_numbers_are_written_the_vietnamese_way() -> None:
    from decimal import Decimal

    from campaign_metrics.adapters.vietnamese import count, percent

    assert (count(1091), count(12), count(1_234_567)) == ("1.091", "12", "1.234.567")
    assert (percent("0.4580"), percent(Decimal("1")), percent("")) == (
        "45,80%", "100,00%", "n/a")
    assert percent(Decimal("0.45"), 0) == "45%"


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path, feed: Feed) -> None:
    import os
    import subprocess
    import sys

    feed.send(*(portal_record(f"H{i}") for i in range(50)))
    env = {**os.environ, "DATABASE_URL": feed.db.engine.url.render_as_string(False)}
    done = subprocess.run(
        f"{sys.executable} -m campaign_metrics indicators --json | head -c 10",
        shell=True, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert len(done.stdout) == 10
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
