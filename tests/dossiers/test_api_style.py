"""The dossiers API keeps the one style of docs/api.md over a real gRPC socket (SQLite and
PostgreSQL): figures' rates and targets as four-place fractions (a target of 90 % is "0.9000",
not the campaign file's "0.90"), times RFC 3339 with the offset, an unknown nominee, unit or
award type NOT_FOUND rather than an empty OK, refusals in Vietnamese with a reason code."""

from __future__ import annotations

import grpc

from campaign.dossiers.v1 import dossiers_pb2 as pb
from campaign_contracts.events import SubjectKind
from campaign_dossiers.figures import NomineeFiguresProjection
from tests.dossiers.api import Api, caller_metadata
from tests.dossiers.builders import CAMPAIGN, GIAY_KHEN, OFFICER, k_update
from tests.dossiers.test_grpc_api import api, dossier_in, given_the_awards_facts
from tests.support.api_style import assert_api_style, refused

__all__ = ["api"]  # the fixture
INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND


async def test_every_answer_keeps_the_number_and_time_style(api: Api) -> None:
    given_the_awards_facts(api)
    figures = NomineeFiguresProjection(CAMPAIGN)
    with api.harness.db.begin() as connection:
        for event in (k_update("K1", 9, 10, target="0.90"), k_update("K3", 1, 3),
                      k_update("K2", 0, 0, target="0.90"),
                      k_update("K3", 31, 60, code=OFFICER, kind=SubjectKind.OFFICER)):
            figures.apply(connection, event)
    forwarded = await dossier_in(api, "forwarded")
    unit = await api.call("GetNomineeFigures", pb.GetNomineeFiguresRequest(
        subject_kind="unit", subject_code="QLVT"), "none")
    officer = await api.call("GetNomineeFigures", pb.GetNomineeFiguresRequest(
        subject_kind="officer", subject_code=OFFICER), "none")
    shown = await api.call("GetDossier", pb.GetDossierRequest(
        dossier_id=forwarded.dossier_id), "office")
    listed = await api.call("ListDossiers", pb.ListDossiersRequest(), "office")
    draft = await api.call("DraftAchievementReport", pb.DraftAchievementReportRequest(
        award_type=GIAY_KHEN, nominee_kind="collective"), "qlvt")
    assert_api_style(unit, officer, forwarded, shown, listed, draft)
    assert [(f.indicator, f.rate, f.target) for f in unit.figures] == [
        ("K1", "0.9000", "0.9000"), ("K2", "", "0.9000"), ("K3", "0.3333", "0.4500")]
    assert shown.forwarded_at and shown.documents[0].attached_at and unit.figures[0].as_of


async def test_unknown_identifiers_are_not_found_and_refusals_say_why(api: Api) -> None:
    stub, anyone, office = api.stub, caller_metadata("none"), caller_metadata("office")
    await refused(stub.GetNomineeFigures, pb.GetNomineeFiguresRequest(
        subject_kind="unit", subject_code="NGOAI"), NOT_FOUND, "unknown_subject",
        metadata=anyone)
    await refused(stub.GetNomineeFigures, pb.GetNomineeFiguresRequest(
        subject_kind="officer", subject_code="QLVT/Không Có Ai"), NOT_FOUND, "unknown_subject",
        metadata=anyone)
    await refused(stub.GetNomineeFigures, pb.GetNomineeFiguresRequest(
        subject_kind="team", subject_code="QLVT"), INVALID, "bad_subject_kind", metadata=anyone)
    await refused(stub.GetNomineeFigures, pb.GetNomineeFiguresRequest(subject_kind="unit"),
                  INVALID, "missing_subject_code", metadata=anyone)
    # A unit of the campaign with no figures yet is an answer, not an error.
    empty = await stub.GetNomineeFigures(pb.GetNomineeFiguresRequest(
        subject_kind="unit", subject_code="TTRA"), metadata=anyone)
    assert list(empty.figures) == []
    await refused(stub.ListDossiers, pb.ListDossiersRequest(unit_code="NGOAI"), NOT_FOUND,
                  "unknown_unit", metadata=office)
    await refused(stub.ListDossiers, pb.ListDossiersRequest(award_type="huan_chuong"),
                  NOT_FOUND, "unknown_award_type", metadata=office)
    await refused(stub.ListDossiers, pb.ListDossiersRequest(status="lost"), INVALID,
                  "bad_status", metadata=office)
    await refused(stub.GetDossier, pb.GetDossierRequest(
        dossier_id="00000000-0000-0000-0000-000000000000"), NOT_FOUND, "dossier_not_found",
        metadata=office)
    await refused(stub.GetDossier, pb.GetDossierRequest(dossier_id="abc"), INVALID,
                  "bad_dossier_id", metadata=office)
    assert not (await stub.ListDossiers(pb.ListDossiersRequest(unit_code="TTRA"),
                                        metadata=office)).dossiers
