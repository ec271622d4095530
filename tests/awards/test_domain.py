"""The awards rules without any infrastructure: points, shared ranks, periods, forecasts,
conditions, candidates and decisions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import uuid4

import pytest

from campaign_awards.domain import numbers
from campaign_awards.domain.candidates import Known, evaluate, reconcile
from campaign_awards.domain.decisions import (
    DecideAward,
    NominationDossier,
    RecordedDecision,
    decide,
    require_council,
    revoke,
)
from campaign_awards.domain.errors import Refusal, RefusalKind
from campaign_awards.domain.forecast import Sample, forecast
from campaign_awards.domain.periods import Periods
from campaign_awards.domain.standings import Cell, rank
from campaign_contracts.events import CandidateProposed, CandidateWithdrawn, Figure
from tests.awards.builders import CAMPAIGN, at, cell


def _all_met(unit_cells: dict[str, Cell] | None = None) -> dict[str, Cell]:
    return unit_cells or {"K1": cell("K1", 9, 10), "K2": cell("K2", 95, 100),
                          "K3": cell("K3", 50, 100)}


def test_equal_units_share_a_rank_and_the_next_rank_is_skipped() -> None:
    same = {"K3": cell("K3", 5, 10)}
    standings = rank(CAMPAIGN, "unit", {"VP": same, "QLVT": same,
                                        "KCHT": {"K3": cell("K3", 1, 10)}})
    ranks = {s.subject.code: (s.rank, s.shared_rank) for s in standings}
    assert ranks["QLVT"] == (1, True) and ranks["VP"] == (1, True)
    assert ranks["KCHT"] == (3, False)
    # Units without figures are ranked too (0 points), and share the last rank.
    assert ranks["TTRA"] == ranks["KHTC"] == (4, True)


def test_ties_break_on_the_payment_rate_then_on_its_volume() -> None:
    standings = rank(CAMPAIGN, "unit", {
        "VP": {"K3": cell("K3", 5, 10), "K2": cell("K2", 0, 10)},
        "QLVT": {"K3": cell("K3", 10, 20), "K2": cell("K2", 0, 10)},  # same rate, more dossiers
        "KCHT": {"K3": cell("K3", 0, 0), "K2": cell("K2", 10, 10), "K1": cell("K1", 0, 10)},
    })
    order = [(s.subject.code, s.rank, str(s.total_points)) for s in standings]
    # KCHT has 25 points without any K3 rate; VP and QLVT have 50 each.
    assert order[:3] == [("QLVT", 1, "50.00"), ("VP", 2, "50.00"), ("KCHT", 3, "25.00")]


def test_points_round_half_up_per_indicator_and_the_total_sums_rounded_points() -> None:
    # K3 1/4 -> 0.25/0.45*50 = 27.777 -> 27.78; K2 1/3 -> 0.3333/0.9*25 = 9.259 -> 9.26
    standing = rank(CAMPAIGN, "unit", {"VP": {"K3": cell("K3", 1, 4),
                                              "K2": cell("K2", 1, 3)}})[0]
    assert standing.total_points == Decimal("37.04")


def test_officers_are_ranked_on_k2_and_k3_only_and_only_for_campaign_units() -> None:
    standings = rank(CAMPAIGN, "officer", {
        "QLVT/Nguyễn Thị Hương": {"K1": cell("K1", 1, 1), "K3": cell("K3", 9, 20)},
        "NGOAI/Người Ngoài": {"K3": cell("K3", 9, 20)},
    })
    assert [s.subject.code for s in standings] == ["QLVT/Nguyễn Thị Hương"]
    assert [i.indicator for i in standings[0].indicators] == ["K2", "K3"]
    assert standings[0].total_points == Decimal("50.00")


def test_an_unknown_period_is_refused_naming_the_valid_ones() -> None:
    periods = Periods(CAMPAIGN.period.start, CAMPAIGN.period.end)
    assert periods.get("2024-07").label == "Tháng 7/2024"
    assert periods.get("2024-W27").start.isoformat() == "2024-07-01"
    assert periods.get("").key == CAMPAIGN.period.key
    with pytest.raises(Refusal) as refused:
        periods.get("garbage")
    assert refused.value.kind is RefusalKind.INVALID
    assert "2024-06" in refused.value.message and "2024-W22" in refused.value.message


def test_vietnamese_numbers() -> None:
    assert numbers.whole(1091) == "1.091"
    assert numbers.percent(Decimal("0.458")) == "45,80%"
    assert numbers.decimal(Decimal("1234.5")) == "1.234,50"
    assert numbers.percent(None) == "n/a"


def test_forecast_carries_the_recent_pace_to_the_last_day_and_names_the_gap() -> None:
    rule = CAMPAIGN.indicator("K3")
    start = at("2024-06-01T00:00:00+07:00")
    end = at("2025-01-01T00:00:00+07:00")
    now = at("2024-12-17T00:00:00+07:00")
    # 14 days ago: 30 of 100; now 40 of 120: +10 paid of +20 fee-bearing in 14 days.
    samples = [Sample(now - timedelta(days=14), 30, 100), Sample(now, 40, 120)]
    result = forecast(rule, samples, now, start, end, 14, "hồ sơ thanh toán trực tuyến")
    # 15 days left: +10.7 -> 50 paid, +21.4 -> 141 fee-bearing; 45% of 141 = 63.45 -> 64.
    assert (result.expected.numerator, result.expected.denominator) == (50, 141)
    assert not result.will_meet and result.gap == 14
    assert result.gap_text == "cần thêm 14 hồ sơ thanh toán trực tuyến"
    met = forecast(rule, [Sample(now, 60, 120)], now, start, end, 14, "x")
    assert met.will_meet and met.gap == 0


def _evaluations(unit_cells: dict[str, dict[str, Cell]],
                 officer_cells: dict[str, dict[str, Cell]] | None = None) -> list:  # type: ignore[type-arg]
    return evaluate(CAMPAIGN, {"unit": rank(CAMPAIGN, "unit", unit_cells),
                               "officer": rank(CAMPAIGN, "officer", officer_cells or {})}, {})


def test_a_unit_meeting_every_target_and_ranking_first_is_proposed_for_both_awards() -> None:
    evaluations = _evaluations({"QLVT": _all_met(), "VP": {"K3": cell("K3", 5, 10)}})
    qualified = {e.candidate_id for e in evaluations if e.qualified}
    assert qualified == {"giay_khen_giam_doc_so:collective:QLVT",
                         "bang_khen_chu_tich_ubnd:collective:QLVT"}
    details = [r.detail for e in evaluations if e.candidate_id.endswith("collective:VP")
               for r in e.results]
    assert any(d.startswith("Chưa đạt K1, K2") for d in details)


def test_an_officer_needs_the_minimum_volume() -> None:
    officers = {"QLVT/Nguyễn Thị Hương": {"K3": cell("K3", 20, 29)},
                "KCHT/Lương Thị Thảo": {"K3": cell("K3", 20, 30)}}
    evaluations = _evaluations({}, officers)
    giay_khen = {e.standing.subject.code: e for e in evaluations
                 if e.award.code == "giay_khen_giam_doc_so"}
    assert not giay_khen["QLVT/Nguyễn Thị Hương"].qualified
    assert giay_khen["KCHT/Lương Thị Thảo"].qualified
    assert "30 hồ sơ có phí (≥ 30)" in giay_khen["KCHT/Lương Thị Thảo"].results[0].detail


def test_candidates_are_proposed_then_withdrawn_and_decided_ones_never_change() -> None:
    now = at("2024-12-01T00:00:00+07:00")
    first = reconcile(CAMPAIGN, _evaluations({"QLVT": _all_met()}), {}, "p", now,
                      producer="awards", cause=None)
    assert {type(e) for e in first} == {CandidateProposed}
    known = {e.candidate_id: Known("proposed", e.evidence) for e in first}
    assert reconcile(CAMPAIGN, _evaluations({"QLVT": _all_met()}), known, "p", now,
                     producer="awards", cause=None) == []
    fallen = _evaluations({"QLVT": {**_all_met(), "K3": cell("K3", 10, 100)}})
    second = reconcile(CAMPAIGN, fallen, known, "p", now, producer="awards", cause=None)
    assert {type(e) for e in second} == {CandidateWithdrawn}
    reasons = {e.award_type: e.reason for e in second if isinstance(e, CandidateWithdrawn)}
    assert "Chưa đạt K3" in reasons["giay_khen_giam_doc_so"]
    assert "Chưa đủ điều kiện Giấy khen" in reasons["bang_khen_chu_tich_ubnd"]
    decided = {k: Known("decided", v.evidence) for k, v in known.items()}
    assert reconcile(CAMPAIGN, fallen, decided, "p", now, producer="awards", cause=None) == []


def _command(**changes: str) -> DecideAward:
    fields = dict(decision_number="125/QĐ-SGTVT", decision_date="2025-01-15",
                  award_type="giay_khen_giam_doc_so", nominee_kind="collective",
                  nominee_code="QLVT", signer="Giám đốc Sở")
    fields.update(changes)
    return DecideAward(**fields)


def test_a_decision_needs_a_forwarded_dossier_or_an_override_reason() -> None:
    with pytest.raises(Refusal) as refused:
        decide(_command(), CAMPAIGN, actor="council", dossiers=[
            NominationDossier(uuid4(), accepted=True, forwarded=False)], decided=[],
            evidence=None, producer="awards")
    assert refused.value.reason == "dossier_not_forwarded"
    forwarded = NominationDossier(uuid4(), accepted=True, forwarded=True)
    event = decide(_command(), CAMPAIGN, actor="council", dossiers=[forwarded], decided=[],
                   evidence=None, producer="awards")
    assert event.dossier_id == forwarded.dossier_id and event.override_reason is None
    overridden = decide(_command(override_reason="Hồ sơ giấy đã nộp"), CAMPAIGN,
                        actor="council", dossiers=[], decided=[], evidence=None,
                        producer="awards")
    assert overridden.dossier_id is None and overridden.override_reason == "Hồ sơ giấy đã nộp"
    active = RecordedDecision(event.decision_id, "125/QĐ-SGTVT", "giay_khen_giam_doc_so",
                              "collective", "QLVT", "x", "QLVT", None, revoked=False)
    with pytest.raises(Refusal) as twice:
        decide(_command(), CAMPAIGN, actor="council", dossiers=[forwarded], decided=[active],
               evidence=None, producer="awards")
    assert twice.value.kind is RefusalKind.DUPLICATE
    revoked = revoke(active, "x", "Sai đối tượng", actor="council", campaign_id="c",
                     producer="awards")
    assert revoked.decision_id == event.decision_id


@pytest.mark.parametrize("changes, reason", [
    ({"award_type": "huan_chuong"}, "unknown_award_type"),
    ({"nominee_code": "NGOAI"}, "unknown_nominee"),
    ({"nominee_kind": "individual", "nominee_code": "Không có đơn vị"}, "bad_officer_key"),
    ({"decision_date": "15/01/2025"}, "bad_decision_date"),
    ({"decision_number": " "}, "missing_decision_number"),
])
def test_bad_decisions_are_refused_with_a_reason(changes: dict[str, str], reason: str) -> None:
    with pytest.raises(Refusal) as refused:
        decide(_command(override_reason="x", **changes), CAMPAIGN, actor="council",
               dossiers=[], decided=[], evidence=None, producer="awards")
    assert refused.value.reason == reason


def test_only_the_council_decides() -> None:
    require_council("council")
    with pytest.raises(Refusal) as refused:
        require_council("office")
    assert refused.value.kind is RefusalKind.FORBIDDEN


def test_figure_rate_is_kept_beside_counts() -> None:
    assert Figure.of(1, 4).rate == Decimal("0.2500")
