"""The read side: one subject's figures over a period (stored, or 0/0 when no dossier reached
the cell), the stored cells filtered and paged, and the command line printing the same as a
table and as JSON."""

from __future__ import annotations

import io
import json

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


@pytest.mark.parametrize(("question", "message", "not_found"), [
    ({"subject_code": "NOWHERE"}, "unknown unit", True),
    ({"subject_code": ""}, "subject_code is required", False),
    ({"subject_code": "QLVT", "period_kind": "month", "period_key": "2024-05"},
     "no month '2024-05'", False),
    ({"subject_code": "QLVT", "period_kind": "week", "period_key": "2024-27"},
     "no week", False),
    ({"subject_code": "QLVT", "period_kind": "year"}, "not one of", False),
    ({"subject_kind": "officer", "subject_code": "A", "indicators": ["K1"]},
     "K1 does not apply to an officer", False),
    ({"subject_code": "QLVT", "indicators": ["K9"]}, "unknown indicator", False),
    ({"subject_kind": "department", "subject_code": "SXD"}, "the department is 'SGTVT'", True),
])
def test_a_question_that_cannot_be_answered_says_why(
    feed: Feed, question: dict[str, object], message: str, not_found: bool
) -> None:
    with pytest.raises(QueryError, match=message) as raised:
        _get(feed, **question)
    assert raised.value.not_found is not_found


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
    assert lines[0].split() == ["indicator", "subject", "period", "numerator", "denominator",
                                "rate", "target", "met", "versions"]
    assert lines[4].split()[:8] == ["K3", "unit:QLVT", f"campaign:{CAMPAIGN_KEY}", "1", "2",
                                    "50.00%", "45%", "yes"]
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
