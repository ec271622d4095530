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
from campaign.notifier.v1 import notifier_pb2
from campaign_notifier.grpc_api import STATUSES as NOTIFIER_STATUSES
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


def test_the_operators_page_shows_whether_each_service_has_caught_up(tmp_path: Path) -> None:
    workspace = fake_workspace(tmp_path, {})
    services: Any = workspace.services
    services.states = {"campaign.awards.v1.AwardsService/caught-up": "NOT_SERVING"}
    with TestClient(create_app(workspace), follow_redirects=False) as client:
        sign_in(client, "vanhanh")
        page = client.get("/operators")
    assert page.status_code == 200, page.text
    asked = {check for _service, check in services.checked if check}
    assert asked == {f"campaign.{name}.v1.{name.title()}Service/caught-up"
                     for name in ("metrics", "dossiers", "awards", "notifier")}
    assert page.text.count("Đã xử lý kịp") == 3
    assert page.text.count("Đang xử lý dữ liệu tồn") == 1


def test_the_operators_page_lists_failing_deliveries_asked_for_by_statuses_that_exist(
    tmp_path: Path,
) -> None:
    asked: list[str] = []

    def deliveries(_caller: Any, request: Any) -> Any:
        asked.append(request.status)
        reply = notifier_pb2.ListDeliveriesResponse()
        if request.status == "pending":
            reply.deliveries.add(delivery_id="d1", unit_code="QLVT", status="pending",
                                 subject="Nhắc hạn nộp hồ sơ", attempts=2,
                                 last_error="421 máy chủ thư bận")
            reply.deliveries.add(delivery_id="d2", unit_code="VP", status="pending",
                                 subject="Chưa gửi lần nào", attempts=0)
        if request.status == "dead":
            reply.deliveries.add(delivery_id="d3", unit_code="KCHT", status="dead",
                                 subject="Quyết định khen thưởng", attempts=5,
                                 last_error="550 hộp thư không tồn tại")
        return reply

    with client_for(tmp_path, {("notifier", "ListDeliveries"): deliveries}) as client:
        sign_in(client, "vanhanh")
        page = client.get("/operators")
    assert page.status_code == 200, page.text
    assert set(asked) <= set(NOTIFIER_STATUSES), asked  # the notifier refuses any other
    assert "421 máy chủ thư bận" in page.text and "550 hộp thư không tồn tại" in page.text
    assert "Chưa gửi lần nào" not in page.text  # waiting for its first try is not failing


def history() -> Any:
    reply = awards_pb2.GetHistoryResponse(subject_kind="unit", subject_code="QLVT")
    for day, (rank, numerator) in enumerate([(3, 30), (2, 40), (1, 50)], start=1):
        point = reply.points.add(day=f"2024-07-{day:02}", rank=rank, total_points="50.00")
        point.indicators.add(indicator="K3", numerator=numerator, denominator=100,
                             rate=f"0.{numerator:02}00", points="50.00")
    return reply


def forecast() -> Any:
    reply = awards_pb2.GetForecastResponse(subject_kind="unit", subject_code="QLVT",
                                           as_of="2024-11-30T17:00:00+00:00",
                                           campaign_end="2024-12-31", window_days=14)
    reply.indicators.add(indicator="K3", indicator_name="Tỷ lệ thanh toán trực tuyến",
                         counted_unit="hồ sơ", numerator=380, denominator=1000, rate="0.3800",
                         expected_numerator=430, expected_denominator=1100,
                         expected_rate="0.3909", target="0.4500", will_meet=False, gap=65,
                         gap_text="cần thêm 65 hồ sơ thanh toán trực tuyến")
    return reply


def test_a_units_page_draws_its_trends_and_says_the_gap(tmp_path: Path) -> None:
    answers = {
        ("awards", "GetStandings"): lambda _c, _r: standings((1, "QLVT", "50", 50, 100, "0.5000")),
        ("awards", "GetHistory"): lambda _c, _r: history(),
        ("awards", "GetForecast"): lambda _c, _r: forecast(),
    }
    with client_for(tmp_path, answers) as client:
        sign_in(client, "qlvt")
        page = client.get("/units/QLVT")
    assert page.status_code == 200, page.text
    assert page.text.count("<svg") == 2  # K3 and the rank
    assert "chỉ tiêu 45%" in page.text  # the target line on the K3 chart
    assert "cần thêm 65 hồ sơ thanh toán trực tuyến" in page.text
    assert "380/1.000 hồ sơ" in page.text and "31/12/2024" in page.text


def test_the_dossiers_behind_a_figure_are_listed_with_the_record_that_placed_each(
    tmp_path: Path,
) -> None:
    def cells(_caller: Any, request: Any) -> Any:
        assert (request.indicator, request.subject_code, request.part) == ("K3", "QLVT",
                                                                           "numerator")
        reply = metrics_pb2.ListCellDossiersResponse(total=1234, next_page_token="p2")
        reply.dossiers.add(dossier_code="G22.39-240702-0001", procedure_code="GTVT.GPLX.02",
                           unit_code="QLVT", channel=2, status=10, payment=1,
                           received_at="2024-07-02T01:30:00+00:00", in_numerator=True,
                           source_topic="portal.dossier-records.v1", source_partition=1,
                           source_offset=4711)
        return reply

    with client_for(tmp_path, {("metrics", "ListCellDossiers"): cells}) as client:
        sign_in(client, "qlvt")
        page = client.get("/units/QLVT/cells?indicator=K3&part=numerator")
        other = client.get("/units/KCHT/cells?indicator=K3&part=numerator")
    assert page.status_code == 200, page.text
    assert "1.234" in page.text and "G22.39-240702-0001" in page.text
    assert "portal.dossier-records.v1/1/4711" in page.text
    assert "08:30 02/07/2024" in page.text and "Cổng DVCQG" in page.text
    assert "page=p2" in page.text
    assert other.status_code == 403


def test_the_standings_export_is_utf8_with_a_bom_even_when_built_here(tmp_path: Path) -> None:
    answers = {("awards", "GetStandings"): lambda _c, _r: standings(
        (1, "QLVT", "87.5", 1091, 2382, "0.4580"))}
    with client_for(tmp_path, answers) as client:
        sign_in(client, "vanphong")
        reply = client.get("/board.csv")
    assert reply.status_code == 200
    assert reply.content.startswith(b"\xef\xbb\xbf")
    text = reply.content.decode("utf-8-sig")
    assert "Phòng Quản lý vận tải, phương tiện và người lái" in text
    assert "1091,2382,\"45,80%\"" in text
