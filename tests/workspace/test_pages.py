"""The workspace's pages with fake services (fast, no network): sign-in and CSRF, Vietnamese
formats, graceful pages when a service does not offer a call yet, and refusals in Vietnamese."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from campaign.awards.v1 import awards_pb2
from campaign.metrics.v1 import metrics_pb2
from campaign_workspace.app import create_app
from tests.workspace.fakes import fake_workspace


def standings(*rows: tuple[int, str, str, int, int, str]) -> Any:
    reply = awards_pb2.GetStandingsResponse(campaign_id="c", period_key="2024-06-01..2024-12-31")
    for rank, unit, points, numerator, denominator, rate in rows:
        row = reply.rows.add(rank=rank, unit_code=unit, total_points=points,
                             updated_at="2024-07-02T10:00:00+00:00")
        row.indicators.add(indicator="K3", numerator=numerator, denominator=denominator,
                           rate=rate, target="0.4500", target_met=rate >= "0.4500",
                           points=points, counted_unit="hồ sơ")
    return reply


def client_for(tmp_path: Path, answers: dict[Any, Any]) -> TestClient:
    return TestClient(create_app(fake_workspace(tmp_path, answers)), follow_redirects=False)


def sign_in(client: TestClient, username: str) -> None:
    page = client.get("/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    reply = client.post("/sign-in", data={"csrf_token": token.group(1), "username": username,
                                          "password": "mật-khẩu-đủ-dài"})
    assert reply.status_code == 303, reply.text


def test_the_board_shows_shared_ranks_counts_and_rates_in_vietnamese(tmp_path: Path) -> None:
    board = standings((1, "QLVT", "87.5", 1091, 2382, "0.4580"), (2, "KCHT", "10", 3, 9, "0.3333"),
                      (2, "VP", "10", 3, 9, "0.3333"), (4, "TTRA", "0", 0, 0, ""))
    with client_for(tmp_path, {("awards", "GetStandings"): lambda _c, _r: board}) as client:
        sign_in(client, "vanphong")
        page = client.get("/board")
    assert page.status_code == 200
    text = page.text
    assert "45,80%" in text and "1.091/2.382 hồ sơ" in text and "87,50" in text
    assert text.count("đồng hạng</span>") == 2
    assert "không áp dụng" in text  # a zero denominator is n/a, not 0%
    assert "Phòng Quản lý vận tải, phương tiện và người lái" in text


def test_a_form_without_the_sessions_token_is_refused(tmp_path: Path) -> None:
    with client_for(tmp_path, {}) as client:
        sign_in(client, "qlvt")
        reply = client.post("/dossiers", data={"award_type": "giay_khen_giam_doc_so",
                                               "nominee_kind": "collective"})
    assert reply.status_code == 403
    assert "Biểu mẫu đã hết hạn" in reply.text


def test_a_wrong_password_and_a_forged_cookie_do_not_sign_in(tmp_path: Path) -> None:
    with client_for(tmp_path, {}) as client:
        page = client.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        reply = client.post("/sign-in", data={"csrf_token": token.group(1),
                                              "username": "qlvt", "password": "không đúng!!"})
        assert reply.status_code == 401
        client.cookies.set("ws_session", "eyJyb2xlIjoib2ZmaWNlIn0.forged")
        assert client.get("/board").headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("path", ["/units/QLVT", "/operators", "/council", "/board"])
def test_pages_say_there_is_no_data_yet_where_a_service_does_not_offer_it(
    tmp_path: Path, path: str,
) -> None:
    answers = {("awards", "GetStandings"): lambda _c, _r: standings(
        (1, "QLVT", "50", 9, 20, "0.4500"))}
    with client_for(tmp_path, answers) as client:
        sign_in(client, "vanphong")
        page = client.get(path)
    assert page.status_code == 200, page.text
    assert "Traceback" not in page.text


def test_a_unit_sees_only_its_own_page(tmp_path: Path) -> None:
    with client_for(tmp_path, {}) as client:
        sign_in(client, "qlvt")
        page = client.get("/units/KCHT")
    assert page.status_code == 403
    assert "chỉ xem được số liệu của đơn vị mình" in page.text


def test_the_operators_page_shows_lag_freshness_and_dead_letters(tmp_path: Path) -> None:
    status = metrics_pb2.GetStatusResponse(caught_up=False, lag=1234)
    status.sources.add(kind="portal", code="langson", last_record_at="2024-12-31T16:30:00+00:00",
                       records=3000)
    status.dead_letters.add(reason="missing_field", count=12)
    with client_for(tmp_path, {("metrics", "GetStatus"): lambda _c, _r: status}) as client:
        sign_in(client, "vanhanh")
        page = client.get("/operators")
    assert page.status_code == 200, page.text
    assert "1.234" in page.text and "23:30 31/12/2024" in page.text
    assert "Thiếu trường bắt buộc" in page.text and "Hoạt động" in page.text
