"""Standings, history, candidates and decisions projected on SQLite and on PostgreSQL."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from campaign_awards import store
from campaign_awards.domain.decisions import DecideAward
from campaign_awards.domain.errors import Refusal
from campaign_awards.queries import Reader
from campaign_contracts.events import AwardDecided, SubjectKind
from campaign_kit.identity import Caller
from tests.awards.builders import CAMPAIGN, all_targets, dossier_path, update
from tests.awards.harness import TOPICS, Harness

COUNCIL = Caller("council", None, "Trần Văn B")
READER = Reader(CAMPAIGN)
MONTH = "2024-07"


def _ranks(h: Harness, period: str = "", kind: str = "unit", as_of: str = "") -> dict[str, Any]:
    with h.db.begin() as connection:
        view = READER.standings(connection, period, kind, as_of)
    return {r.standing.subject.code: (r.standing.rank, str(r.standing.total_points))
            for r in view.rows}


def test_units_share_ranks_per_month_and_week_and_hear_of_each_change(database_url: str) -> None:
    h = Harness(database_url)
    for unit, n in (("QLVT", 5), ("VP", 5), ("KCHT", 1)):
        h.indicator(update(unit, "K3", n, 10, period=MONTH))
    h.indicator(update("VP", "K3", 9, 10, period="2024-W27"))
    ranks = _ranks(h, MONTH)
    assert ranks["QLVT"] == ranks["VP"] == (1, "50.00")
    assert ranks["KCHT"] == (3, "11.11")
    assert ranks["TTRA"] == ranks["KHTC"] == (4, "0.00")
    assert _ranks(h, "2024-W27")["VP"] == (1, "50.00")
    assert _ranks(h)["VP"] == (1, "0.00")  # nothing yet over the campaign: all share rank 1
    events = [e for e in h.outbox(TOPICS.standings.name) if e["subject_code"] == "QLVT"]
    assert [(e["rank"], e["previous_rank"]) for e in events] == [(1, None)]
    h.indicator(update("QLVT", "K3", 1, 10, period=MONTH))  # QLVT falls behind VP
    last = [e for e in h.outbox(TOPICS.standings.name) if e["subject_code"] == "QLVT"][-1]
    assert (last["rank"], last["previous_rank"], last["previous_points"]) == (2, 1, "50.00")
    assert last["period_kind"] == "month" and last["as_of"].startswith("2024-07-02")
    h.db.dispose()


def test_officers_are_ranked_and_unattributed_units_are_not(database_url: str) -> None:
    h = Harness(database_url)
    h.indicator(update("QLVT/Nguyễn Thị Hương", "K3", 9, 20, kind=SubjectKind.OFFICER))
    h.indicator(update("KCHT/Lương Thị Thảo", "K2", 9, 10, kind=SubjectKind.OFFICER))
    h.indicator(update("Vi Văn Thắng", "K3", 1, 20, kind=SubjectKind.OFFICER))  # no unit given
    h.indicator(update("NGOAI", "K3", 20, 20))
    h.indicator(update("NGOAI/Ai Đó", "K3", 20, 20, kind=SubjectKind.OFFICER))
    assert _ranks(h, kind="officer") == {"QLVT/Nguyễn Thị Hương": (1, "50.00"),
                                         "KCHT/Lương Thị Thảo": (2, "25.00"),
                                         "VP/Vi Văn Thắng": (3, "5.56")}
    assert "NGOAI" not in _ranks(h)
    with pytest.raises(Refusal) as refused:
        _ranks(h, "garbage")
    assert refused.value.reason == "unknown_period"
    h.db.dispose()


def test_standings_as_of_a_time_and_the_daily_history(database_url: str) -> None:
    h = Harness(database_url)
    h.indicator(update("QLVT", "K3", 9, 10, as_of="2024-07-01T09:00:00+07:00"))
    h.indicator(update("VP", "K3", 9, 10, as_of="2024-07-02T09:00:00+07:00"))
    h.indicator(update("VP", "K3", 10, 10, as_of="2024-07-04T09:00:00+07:00"))
    h.indicator(update("QLVT", "K3", 20, 20, as_of="2024-07-04T10:00:00+07:00"))
    h.indicator(update("QLVT", "K2", 1, 10, as_of="2024-07-04T10:00:00+07:00"))
    before = _ranks(h, as_of="2024-07-01T23:59:59+07:00")
    assert before["QLVT"] == (1, "50.00") and before["VP"] == (2, "0.00")
    assert _ranks(h)["QLVT"] == (1, "52.78") and _ranks(h)["VP"] == (2, "50.00")
    with h.db.begin() as connection:
        _period, series = READER.history(connection, "unit", "VP", "")
    assert [(d.isoformat(), s.rank, str(s.total_points)) for d, s in series] == [
        ("2024-07-01", 2, "0.00"), ("2024-07-02", 1, "50.00"),  # shared with QLVT that day
        ("2024-07-03", 1, "50.00"), ("2024-07-04", 2, "50.00")]
    assert series[1][1].shared_rank
    k3 = series[-1][1].indicator("K3")
    assert k3 is not None and (k3.figure.numerator, k3.figure.denominator) == (10, 10)
    h.db.dispose()


def _decide(h: Harness, **changes: str) -> AwardDecided:
    fields = dict(decision_number="125/QĐ-SGTVT", decision_date="2025-01-15",
                  award_type="giay_khen_giam_doc_so", nominee_kind="collective",
                  nominee_code="QLVT", signer="Giám đốc Sở")
    fields.update(changes)
    return h.parts.council.decide(COUNCIL, DecideAward(**fields))


def _candidates(h: Harness) -> dict[str, str]:
    with h.db.begin() as connection:
        return {r.candidate_id: r.status for r in connection.execute(select(store.candidates))}


def test_candidates_are_proposed_withdrawn_and_frozen_by_a_decision(database_url: str) -> None:
    h = Harness(database_url)
    for event in all_targets("QLVT"):
        h.indicator(event)
    assert _candidates(h) == {"giay_khen_giam_doc_so:collective:QLVT": "proposed",
                              "bang_khen_chu_tich_ubnd:collective:QLVT": "proposed"}
    proposed = h.outbox(TOPICS.candidates.name)
    assert {e["event_type"] for e in proposed} == {"CandidateProposed"}
    evidence = proposed[0]["evidence"]
    assert evidence["evaluated_at"].startswith("2024-07-02T01:30")  # the figures' time
    assert len(evidence["source_event_ids"]) == 3 and evidence["rank"] == 1
    with pytest.raises(Refusal) as refused:
        _decide(h)
    assert refused.value.reason == "dossier_not_forwarded"
    for step in dossier_path("QLVT", upto="accepted"):
        h.dossier(step)
    with pytest.raises(Refusal):
        _decide(h)  # accepted but not forwarded to the Council yet
    for step in dossier_path("QLVT"):
        h.dossier(step)
    decided = _decide(h)
    assert decided.dossier_id is not None and decided.evidence is not None
    assert decided.evidence.rank == 1 and decided.decided_by == "council:Trần Văn B"
    assert h.outbox(TOPICS.decisions.name)[0]["decision_id"] == str(decided.decision_id)
    # QLVT's payment rate falls and VP overtakes it: QLVT's Bằng khen candidacy is withdrawn
    # (no longer first), its decided Giấy khen stays as the Council saw it.
    for event in all_targets("VP", as_of="2024-08-01T07:00:00+07:00"):
        h.indicator(event)
    h.indicator(update("QLVT", "K3", 10, 100, as_of="2024-08-01T08:00:00+07:00"))
    assert _candidates(h) == {"giay_khen_giam_doc_so:collective:QLVT": "decided",
                              "bang_khen_chu_tich_ubnd:collective:QLVT": "withdrawn",
                              "giay_khen_giam_doc_so:collective:VP": "proposed",
                              "bang_khen_chu_tich_ubnd:collective:VP": "proposed"}
    [withdrawn] = [e for e in h.outbox(TOPICS.candidates.name)
                   if e["event_type"] == "CandidateWithdrawn"]
    assert withdrawn["candidate_id"] == "bang_khen_chu_tich_ubnd:collective:QLVT"
    assert "Xếp hạng 2" in withdrawn["reason"]
    assert "Chưa đủ điều kiện Giấy khen" not in withdrawn["reason"]  # it was decided
    with h.db.begin() as connection:
        frozen = READER.candidates(connection, "giay_khen_giam_doc_so", "QLVT")[0][1]
    assert frozen == decided.evidence
    h.db.dispose()


def test_candidates_are_not_rejudged_after_the_dossier_deadline(database_url: str) -> None:
    h = Harness(database_url)
    for event in all_targets("QLVT"):
        h.indicator(event)
    h.indicator(update("QLVT", "K3", 1, 100, as_of="2025-01-01T00:00:00+07:00"))
    assert set(_candidates(h).values()) == {"proposed"}
    h.db.dispose()


def test_a_log_that_starts_after_the_deadline_is_judged_on_its_figures(
        database_url: str) -> None:
    h = Harness(database_url)
    for event in all_targets("QLVT", "2026-11-26T10:00:00+07:00"):
        h.indicator(event)
    assert set(_candidates(h).values()) == {"proposed"}
    h.indicator(update("QLVT", "K3", 1, 100, as_of="2026-11-26T11:00:00+07:00"))
    assert set(_candidates(h).values()) == {"withdrawn"}
    h.db.dispose()


def test_a_redelivered_indicator_event_changes_nothing(database_url: str) -> None:
    h = Harness(database_url)
    event = update("QLVT", "K3", 5, 10)
    assert h.indicator(event)
    before = h.outbox(TOPICS.standings.name)
    h.indicator(event)  # the metrics outbox published it again, at a new offset
    assert h.outbox(TOPICS.standings.name) == before
    h.db.dispose()


def test_a_batch_ranks_each_period_once_and_tells_each_change_once(
        database_url: str, rebuilt_database_url: str) -> None:
    one_by_one, batched = Harness(database_url), Harness(rebuilt_database_url)
    feed = [update("QLVT", "K3", 5, 10, period=MONTH), update("VP", "K3", 5, 10, period=MONTH),
            update("QLVT", "K3", 1, 10, period=MONTH, as_of="2024-07-02T09:00:00+07:00"),
            update("VP", "K3", 9, 10, period="2024-W27"), *all_targets("KCHT")]
    for event in feed:
        one_by_one.indicator(event)
    assert batched.indicators(feed) == len(feed)
    state = _state(batched)
    assert {k: v for k, v in state.items() if k != "histories"} == \
        {k: v for k, v in _state(one_by_one).items() if k != "histories"}
    told = [(e["period_key"], e["subject_code"], e["rank"], e["previous_rank"])
            for e in batched.outbox(TOPICS.standings.name)]
    # QLVT's month standing moved twice in the batch: one event, from where it stood before.
    assert [t for t in told if t[:2] == (MONTH, "QLVT")] == [(MONTH, "QLVT", 2, None)]
    assert len(told) == len(set(t[:2] for t in told))
    cause = next(e for e in batched.outbox(TOPICS.standings.name)
                 if e["period_key"] == MONTH)["causation_id"]
    assert cause == str(feed[2].event_id)  # the period's last event in the batch
    assert set(_candidates(batched).values()) == {"proposed"}
    one_by_one.db.dispose()
    batched.db.dispose()


def test_a_redelivered_batch_or_an_event_twice_in_a_batch_changes_nothing(
        database_url: str) -> None:
    h = Harness(database_url)
    first = update("QLVT", "K3", 5, 10)
    assert h.indicators([first, update("VP", "K3", 5, 10)]) == 2
    before = (_state(h), h.outbox(TOPICS.standings.name), h.outbox(TOPICS.candidates.name))
    assert h.indicators([first, update("VP", "K3", 5, 10)], again=True) == 0
    assert h.indicators([first, first]) == 2  # republished by the metrics outbox: new offsets
    assert (_state(h), h.outbox(TOPICS.standings.name),
            h.outbox(TOPICS.candidates.name)) == before
    with h.db.begin() as connection:
        versions = connection.execute(select(store.cell_versions)).all()
    assert len(versions) == 2
    h.db.dispose()


def test_a_batch_across_the_deadline_judges_the_figures_before_it(database_url: str) -> None:
    h = Harness(database_url)
    h.indicators([*all_targets("QLVT"),
                  update("QLVT", "K3", 1, 100, as_of="2025-01-01T00:00:00+07:00")])
    assert set(_candidates(h).values()) == {"proposed"}  # judged at the deadline, then frozen
    h.db.dispose()


def _state(h: Harness) -> dict[str, Any]:
    with h.db.begin() as connection:
        standings = sorted(
            (r.period_key, r.subject_kind, r.subject_code, r.rank, Decimal(r.total_points),
             r.targets_met, r.figures)
            for r in connection.execute(select(store.standings)))
        candidates = sorted((r.candidate_id, r.status, r.evidence)
                            for r in connection.execute(select(store.candidates)))
        decisions = sorted((r.decision_id, r.decided, r.revoked)
                           for r in connection.execute(select(store.decisions)))
        dossiers = sorted(tuple(r) for r in connection.execute(
            select(store.nomination_dossiers)))
        histories = {code: [(d, s.rank, s.total_points) for d, s in
                            READER.history(connection, "unit", code, "")[1]]
                     for code in ("QLVT", "VP")}
    return {"standings": standings, "candidates": candidates, "decisions": decisions,
            "dossiers": dossiers,
            "histories": histories, "now": _ranks(h)}


async def test_replaying_the_log_into_an_empty_database_gives_the_same_state(
        database_url: str) -> None:
    h = Harness(database_url)
    feed = [*all_targets("QLVT", "2024-07-02T08:00:00+07:00"),
            *all_targets("VP", "2024-07-03T08:00:00+07:00"),
            update("VP", "K3", 90, 100, as_of="2024-07-05T08:00:00+07:00"),
            update("QLVT", "K3", 60, 100, period=MONTH, as_of="2024-07-05T09:00:00+07:00"),
            update("KCHT/Lương Thị Thảo", "K3", 20, 30, kind=SubjectKind.OFFICER,
                   as_of="2024-07-06T08:00:00+07:00")]
    for event in feed:
        h.indicator(event)
    dossier_events = dossier_path("VP")
    for step in dossier_events:
        h.dossier(step)
    _decide(h, nominee_code="VP")
    _decide(h, award_type="bang_khen_chu_tich_ubnd", decision_number="7/QĐ-UBND",
            override_reason="Hội đồng xét theo hồ sơ giấy")
    await h.relay.flush()
    decisions = h.published[TOPICS.decisions.name]
    candidate_events = h.published[TOPICS.candidates.name]
    first = _state(h)
    h.db.dispose()

    # An empty database reads the decisions and candidates first and the indicators in another
    # interleaving of their partitions, as a rebuild does; nothing is published again.
    again = Harness(database_url, emit=False)
    for value in decisions:
        again.decision(value)
    for value in candidate_events:
        again.candidate(value)
    for step in dossier_events:
        again.dossier(step)
    for event in [*feed[3:], *feed[:3]]:
        again.indicator(event)
    assert _state(again) == first
    assert again.outbox(TOPICS.standings.name) == []
    again.db.dispose()


def test_a_revoked_decision_stays_on_record(database_url: str) -> None:
    h = Harness(database_url)
    decided = _decide(h, override_reason="Đặc cách")
    revoked = h.parts.council.revoke(COUNCIL, str(decided.decision_id), "Nhầm đối tượng")
    assert revoked.reason == "Nhầm đối tượng"
    with h.db.begin() as connection:
        assert READER.decisions(connection) == []
        [(kept, row)] = READER.decisions(connection, include_revoked=True)
    assert kept.decision_id == decided.decision_id and row.revoked
    with pytest.raises(Refusal) as twice:
        h.parts.council.revoke(COUNCIL, str(decided.decision_id), "x")
    assert twice.value.reason == "already_revoked"
    with pytest.raises(Refusal) as missing:
        h.parts.council.revoke(COUNCIL, str(uuid.uuid4()), "x")
    assert missing.value.reason == "decision_not_found"
    h.db.dispose()


def test_prometheus_shows_points_ranks_candidates_and_decisions(database_url: str) -> None:
    h = Harness(database_url)
    for event in all_targets("QLVT"):
        h.indicator(event)
    h.indicator(update("VP", "K3", 1, 4))
    _decide(h, override_reason="Đặc cách")

    def sample(name: str, **labels: str) -> float | None:
        return h.registry.get_sample_value(name, labels)

    assert sample("standing_rank", unit_code="QLVT") == 1
    assert sample("standing_points", unit_code="VP") == 27.78
    assert sample("standing_rank", unit_code="TTRA") == 3  # no figures: shares the last rank
    assert sample("award_candidates", award_type="bang_khen_chu_tich_ubnd",
                  status="proposed") == 1
    assert sample("award_candidates", award_type="giay_khen_giam_doc_so",
                  status="decided") == 1
    assert sample("award_decisions", award_type="giay_khen_giam_doc_so", revoked="false") == 1
    h.db.dispose()


def test_an_officers_dossier_named_by_the_unit_opens_the_way_to_a_decision(
        database_url: str) -> None:
    h = Harness(database_url)
    key = "QLVT/Nguyễn Thị Hương"
    # The dossiers service names an individual nominee by name within the nominating unit.
    for step in dossier_path("QLVT", kind="individual", nominee="Nguyễn Thị Hương"):
        h.dossier(step)
    decided = _decide(h, nominee_kind="individual", nominee_code=key)
    assert decided.dossier_id is not None and decided.nominee_name == "Nguyễn Thị Hương"
    with pytest.raises(Refusal) as refused:
        _decide(h, nominee_kind="individual", nominee_code="Nguyễn Thị Hương",
                decision_number="126/QĐ-SGTVT")
    assert refused.value.reason == "bad_officer_key"
    h.db.dispose()
