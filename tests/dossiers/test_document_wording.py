"""How documents word figures, dates and names, and when a Form 08 may be drafted (the rule on
candidates), as plain functions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import AwardDecided
from campaign_dossiers import store
from campaign_dossiers.awards_view import DecisionsProjection, decision
from campaign_dossiers.documents.certificate import load_template
from campaign_dossiers.documents.wording import (
    campaign_phrase,
    count,
    date_line,
    named_indicators,
    percent,
    version_in_words,
)
from campaign_dossiers.domain.access import Principal, Role
from campaign_dossiers.domain.eligibility import Standing, permit_draft
from campaign_dossiers.domain.errors import Refusal
from tests.dossiers.builders import CAMPAIGN, GIAY_KHEN, decided, unit_evidence
from tests.support.services import fresh_database

OFFICE = Principal(Role.OFFICE, "VP")
UNIT = Principal(Role.UNIT, "QLVT")


def test_numbers_read_the_vietnamese_way() -> None:
    assert (count(1091), count(125), count(1_234_567)) == ("1.091", "125", "1.234.567")
    assert percent(Decimal("0.4580")) == "45,80%"


def test_date_lines_name_the_place_and_write_the_day_as_the_decree_does() -> None:
    assert date_line("Lạng Sơn", date(2025, 1, 5), 2025) == "Lạng Sơn, ngày 05 tháng 01 năm 2025"
    assert date_line("Lạng Sơn", date(2024, 12, 20), 2024) == ("Lạng Sơn, ngày 20 tháng 12 "
                                                               "năm 2024")
    assert date_line("Lạng Sơn", None, 2024) == "Lạng Sơn, ngày      tháng      năm 2024"


def test_the_campaign_and_its_indicators_are_named_in_full() -> None:
    assert campaign_phrase(CAMPAIGN).startswith("đợt thi đua cao điểm “Nâng cao")
    assert version_in_words("2024.1") == "bản số 1 năm 2024"
    assert named_indicators("K3 đạt 47,20%", CAMPAIGN) == (
        "Tỷ lệ thanh toán trực tuyến trên Cổng Dịch vụ công quốc gia đạt 47,20%")
    assert named_indicators("K30 không phải K3", CAMPAIGN).startswith("K30 không phải tỷ lệ")


def test_a_current_candidate_is_drafted_plainly() -> None:
    assert permit_draft(UNIT, Standing(proposed=True), "QLVT", "Giấy khen",
                        not_qualified_requested=False).shortfall is None


@pytest.mark.parametrize("standing,reason", [
    (None, "hệ thống chưa đề xuất là ứng viên"),
    (Standing(False, ("Tỷ lệ hồ sơ xử lý trực tuyến đạt 86,86% (< 90,00%)",), "Không còn đạt"),
     "không còn đạt; tỷ lệ hồ sơ xử lý trực tuyến đạt 86,86% (< 90,00%)"),
])
def test_anyone_else_is_refused_with_the_reason_or_marked_for_the_office(
    standing: Standing | None, reason: str,
) -> None:
    with pytest.raises(Refusal) as refused:
        permit_draft(UNIT, standing, "Phòng A", "Giấy khen", not_qualified_requested=False)
    assert refused.value.reason == "not_a_candidate" and reason in refused.value.message
    with pytest.raises(Refusal) as forbidden:
        permit_draft(UNIT, standing, "Phòng A", "Giấy khen", not_qualified_requested=True)
    assert forbidden.value.reason == "only_office_drafts_unqualified"
    marked = permit_draft(OFFICE, standing, "Phòng A", "Giấy khen", not_qualified_requested=True)
    assert marked.shortfall is not None and reason in marked.shortfall


def test_a_broken_certificate_template_is_refused_with_its_name(tmp_path: Path) -> None:
    missing = tmp_path / "mau.yaml"
    with pytest.raises(Refusal) as refused:
        load_template(missing)
    assert refused.value.reason == "certificate_template_missing"
    missing.write_text("page: {width: 297}\n", encoding="utf-8")
    with pytest.raises(Refusal) as refused:
        load_template(missing)
    assert refused.value.reason == "certificate_template_invalid"
    assert "mau.yaml" in refused.value.message


def test_the_campaign_file_names_issuers_only_for_its_awards() -> None:
    data = CAMPAIGN.model_dump(mode="json")
    data["documents"]["decision_issuers"]["bang_khen_khong_co"] = (
        data["documents"]["decision_issuers"][GIAY_KHEN])
    with pytest.raises(ValidationError, match="bang_khen_khong_co"):
        Campaign.model_validate(data)


def test_a_version_1_decision_is_kept_under_a_stable_id(tmp_path: Path) -> None:
    db = fresh_database(f"sqlite:///{tmp_path / 'd.db'}", store.metadata)
    event = decided("collective", "QLVT", "Phòng Quản lý vận tải", unit_evidence())
    old = AwardDecided.model_validate({**event.model_dump(mode="json", exclude={"decision_id"}),
                                       "schema_version": 1})
    with db.begin() as connection:
        DecisionsProjection(CAMPAIGN).apply(connection, old)
        found = decision(connection, old.event_id)
    db.dispose()
    assert found is not None and found.decision.decision_id == old.event_id
