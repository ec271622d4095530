"""The awards API keeps the one style of docs/api.md, checked on real answers over a gRPC socket
(SQLite and PostgreSQL): fractions with four places, RFC 3339 times with the offset, days as
YYYY-MM-DD; unknown identifiers NOT_FOUND (never an empty OK); refusals in Vietnamese with a
reason code in the status details."""

from __future__ import annotations

from typing import Any

import grpc

from campaign.awards.v1 import awards_pb2 as pb
from tests.awards.builders import dossier_path
from tests.awards.harness import COUNCIL_TOKEN, Harness
from tests.awards.test_grpc_api import _fill, api, token
from tests.support.api_style import assert_api_style, refused

__all__ = ["api"]  # the fixture
Stub = Any
NOT_FOUND = grpc.StatusCode.NOT_FOUND


async def test_every_answer_keeps_the_number_and_time_style(api: tuple[Harness, Stub]) -> None:
    h, stub = api
    _fill(h)
    for step in dossier_path("QLVT"):
        h.dossier(step)
    decision = await stub.DecideAward(pb.DecideAwardRequest(
        decision_number="125/QĐ-SGTVT", decision_date="2025-01-15",
        award_type="giay_khen_giam_doc_so", nominee_kind="collective", nominee_code="QLVT",
        signer="Giám đốc Sở"), metadata=token(COUNCIL_TOKEN))
    revoked = await stub.RevokeDecision(pb.RevokeDecisionRequest(
        decision_id=decision.decision_id, reason="Ghi nhầm số"), metadata=token(COUNCIL_TOKEN))
    answers = [
        await stub.GetStandings(pb.GetStandingsRequest()),
        await stub.GetStandings(pb.GetStandingsRequest(subject_kind="officer")),
        await stub.GetStandings(pb.GetStandingsRequest(period_key="2024-07",
                                                       as_of="2024-07-31T23:59:59+07:00")),
        await stub.ListPeriods(pb.ListPeriodsRequest()),
        await stub.GetHistory(pb.GetHistoryRequest(subject_code="VP")),
        await stub.GetForecast(pb.GetForecastRequest(subject_code="VP")),
        await stub.ListCandidates(pb.ListCandidatesRequest(include_withdrawn=True)),
        await stub.ListDecisions(pb.ListDecisionsRequest(include_revoked=True)),
        decision, revoked,
    ]
    assert_api_style(*answers)
    standing = answers[0].rows[0]
    assert standing.updated_at and standing.indicators[0].target  # the checks had work to do
    assert revoked.revoked_at and revoked.decided_at
    assert any(i.expected_rate for i in answers[5].indicators)


async def test_unknown_identifiers_are_not_found(api: tuple[Harness, Stub]) -> None:
    h, stub = api
    _fill(h)
    await refused(stub.GetHistory, pb.GetHistoryRequest(subject_code="NGOAI"), NOT_FOUND,
                  "unknown_subject")
    await refused(stub.GetForecast, pb.GetForecastRequest(subject_code="NGOAI"), NOT_FOUND,
                  "unknown_subject")
    await refused(stub.GetHistory, pb.GetHistoryRequest(
        subject_kind="officer", subject_code="QLVT/Không Có Ai"), NOT_FOUND, "unknown_subject")
    await refused(stub.ListCandidates, pb.ListCandidatesRequest(unit_code="NGOAI"), NOT_FOUND,
                  "unknown_unit")
    await refused(stub.ListCandidates, pb.ListCandidatesRequest(award_type="huan_chuong"),
                  NOT_FOUND, "unknown_award_type")
    await refused(stub.ListDecisions, pb.ListDecisionsRequest(unit_code="NGOAI"), NOT_FOUND,
                  "unknown_unit")
    await refused(stub.ListDecisions, pb.ListDecisionsRequest(award_type="huan_chuong"),
                  NOT_FOUND, "unknown_award_type")
    await refused(stub.RevokeDecision, pb.RevokeDecisionRequest(
        decision_id="00000000-0000-0000-0000-000000000000", reason="x"), NOT_FOUND,
        "decision_not_found", metadata=token(COUNCIL_TOKEN))
    # A known unit with nothing yet is an answer, not an error.
    assert not (await stub.ListDecisions(pb.ListDecisionsRequest(unit_code="VP"))).decisions


async def test_bad_values_are_refused_in_vietnamese_with_a_reason(
        api: tuple[Harness, Stub]) -> None:
    _h, stub = api
    invalid = grpc.StatusCode.INVALID_ARGUMENT
    await refused(stub.GetStandings, pb.GetStandingsRequest(period_key="garbage"), invalid,
                  "unknown_period")
    await refused(stub.GetStandings, pb.GetStandingsRequest(as_of="hôm qua"), invalid,
                  "bad_as_of")
    await refused(stub.GetStandings, pb.GetStandingsRequest(as_of="2024-07-01T00:00:00"),
                  invalid, "bad_as_of")  # a time without its offset is ambiguous
    await refused(stub.GetStandings, pb.GetStandingsRequest(subject_kind="team"), invalid,
                  "bad_subject_kind")
    await refused(stub.GetHistory, pb.GetHistoryRequest(), invalid, "missing_subject")
    await refused(stub.DecideAward, pb.DecideAwardRequest(), grpc.StatusCode.UNAUTHENTICATED,
                  "no_token")
