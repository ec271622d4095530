"""The web workspace in Debian's Chromium against the real services over the real broker: a unit
files a nomination dossier, the Office returns it and then accepts and forwards it, the Council
decides and revokes its decision; a unit that edits a URL to another unit's dossier is refused;
the board changes by itself when a new record moves the standings; the unit's and the operators'
pages show the figures. Screenshots of the main pages stay in var/test-artifacts/workspace."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from campaign_contracts.topics import PORTAL_RECORDS, prefixed
from tests.dossiers.builders import pdf, word
from tests.support.kafka_io import producer
from tests.support.records import encode, portal_record
from tests.workspace.conftest import System
from tests.workspace.pages import shot, signed_in

pytestmark = [pytest.mark.kafka, pytest.mark.e2e]


def wait_until(probe: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.25)
    raise TimeoutError(what)


def feed(system: System, records: list[dict[str, Any]]) -> None:
    portal = producer(system.bootstrap)
    topic = prefixed(PORTAL_RECORDS, system.prefix).name
    for record in records:
        portal.send(topic, key=record["MaHoSo"].encode(), value=encode(record), partition=0)
    portal.flush()
    portal.close()


def upload(page: Any, tmp_path: Path, option: str, filename: str, content: bytes) -> None:
    path = tmp_path / filename
    path.write_bytes(content)
    page.select_option("form.upload select[name=slot]", label=option)
    page.set_input_files("form.upload input[type=file]", str(path))
    page.click("form.upload button[type=submit]")
    page.wait_for_load_state()


def test_sign_in_needs_the_right_password_and_the_forms_token(system: System,
                                                              browser: Any) -> None:
    context = browser.new_context(base_url=system.workspace.url)
    page = context.new_page()
    page.goto("/board")
    assert "/sign-in" in page.url  # nobody sees the board without signing in
    page.fill("input[name=username]", "qlvt")
    page.fill("input[name=password]", "sai mật khẩu rồi")
    page.click("form button[type=submit]")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.inner_text("main")
    cookie = next(c for c in context.cookies() if c["name"] == "ws_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # A form posted without the session's token (as another site's form would) is refused.
    reply = context.request.post("/sign-in", form={"username": "qlvt", "password": "x" * 12})
    assert reply.status == 403
    assert "Biểu mẫu đã hết hạn" in reply.text()
    context.close()


def test_a_unit_files_a_dossier_that_the_office_returns_then_accepts_and_forwards(
    system: System, browser: Any, artifacts: Path, tmp_path: Path,
) -> None:
    unit = signed_in(browser, system.workspace.url, "qlvt")
    unit.goto("/dossiers")
    unit.select_option("select[name=award_type]", "giay_khen_giam_doc_so")
    unit.select_option("select[name=nominee_kind]", "collective")
    unit.click("form.open-dossier button[type=submit]")
    unit.wait_for_load_state()
    assert "Đã mở hồ sơ." in unit.inner_text("main")
    dossier_url = unit.url.split("?")[0]
    assert "Còn thiếu 2 tài liệu" in unit.inner_text("main")

    # A ZIP named .pdf is refused with the dossiers service's reason, and nothing is attached.
    upload(unit, tmp_path, "Biên bản họp xét của đơn vị", "bien-ban.pdf", b"PK\x03\x04" + b"0" * 64)
    refusal = unit.inner_text("p.error")
    assert "bien-ban.pdf" in refusal and "không được nhận" in refusal
    assert "Còn thiếu 2 tài liệu" in unit.inner_text("main")

    upload(unit, tmp_path, "Biên bản họp xét của đơn vị", "biên bản họp xét.pdf", pdf())
    assert "Đã tải lên tài liệu." in unit.inner_text("main")
    upload(unit, tmp_path, "Báo cáo thành tích (Mẫu số 08, Nghị định 98/2023/NĐ-CP)",
           "báo cáo thành tích.docx", word())
    assert "Hồ sơ đã đủ tài liệu theo yêu cầu." in unit.inner_text("main")
    # QLVT has no figures yet, so it is no candidate: the dossiers service refuses the draft
    # with its reason, and the page says so instead of handing out an unqualified report.
    unit.click("text=Tải dự thảo Báo cáo thành tích")
    unit.wait_for_load_state()
    refused = unit.inner_text("main")
    assert "chưa đủ tiêu chuẩn" in refused and "Văn phòng Sở có thể yêu cầu" in refused
    unit.goto(dossier_url)
    unit.click("form.submit button[type=submit]")
    unit.wait_for_load_state()
    assert unit.inner_text("#dossier-status") == "Đã nộp, chờ thẩm định"
    shot(unit, artifacts, "dossier-unit-submitted")

    office = signed_in(browser, system.workspace.url, "vanphong")
    office.goto("/review")
    shot(office, artifacts, "review-queue")
    office.goto(dossier_url)
    office.select_option("select[name=finding_slot_0]", index=1)
    office.fill("input[name=finding_0]", "Biên bản chưa có chữ ký của Chủ tịch Hội đồng.")
    office.click("form.review-return button[type=submit]")
    office.wait_for_load_state()
    assert office.inner_text("#dossier-status") == "Bị trả lại"

    unit.goto(dossier_url)
    assert "Biên bản chưa có chữ ký của Chủ tịch Hội đồng." in unit.inner_text("main")
    shot(unit, artifacts, "dossier-unit-returned")
    upload(unit, tmp_path, "Biên bản họp xét của đơn vị", "biên bản có chữ ký.pdf",
           pdf("Bien ban co chu ky"))
    unit.click("form.submit button[type=submit]")
    unit.wait_for_load_state()
    assert unit.inner_text("#dossier-status") == "Đã nộp, chờ thẩm định"

    office.goto(dossier_url)
    # The Office may still have the report drafted, visibly marked as not (yet) qualifying.
    with office.expect_download() as marked:
        office.click("text=Bản dự thảo có ghi “chưa đủ tiêu chuẩn”")
    assert marked.value.suggested_filename.endswith(".docx")
    office.fill("form.review-accept input[name=note]", "Hồ sơ đầy đủ, hợp lệ.")
    office.click("form.review-accept button[type=submit]")
    office.wait_for_load_state()
    assert office.inner_text("#dossier-status") == "Đã tiếp nhận"
    office.click("form.forward button[type=submit]")
    office.wait_for_load_state()
    assert office.inner_text("#dossier-status") == "Đã chuyển Hội đồng"
    shot(office, artifacts, "dossier-office-forwarded")

    council = signed_in(browser, system.workspace.url, "hoidong")
    assert council.url.endswith("/council")
    assert "Giấy khen của Giám đốc Sở" in council.inner_text("table.dossiers")
    council_decides_and_revokes(council, artifacts)
    for page in (unit, office, council):
        page.context.close()


def council_decides_and_revokes(council: Any, artifacts: Path) -> None:
    """The Council records its decision on the forwarded dossier, then revokes it."""
    def decide() -> bool:
        council.goto("/council")
        council.click("table.dossiers a.prefill")
        council.fill("input[name=decision_number]", "125/QĐ-SGTVT")
        council.fill("input[name=decision_date]", "15/01/2025")
        council.fill("input[name=signer]", "Giám đốc Sở Giao thông vận tải")
        council.click("form.decide button[type=submit]")
        council.wait_for_load_state()
        # The awards service learns of the forwarding from the dossiers topic, a moment later.
        return "Đã ghi nhận quyết định khen thưởng." in council.inner_text("main")

    wait_until(decide, "the Council's decision recorded", timeout=60)
    decisions = council.inner_text("table.decisions")
    assert "125/QĐ-SGTVT" in decisions and "15/01/2025" in decisions
    assert "Có hiệu lực" in decisions
    shot(council, artifacts, "council-decided")
    council.fill("form.revoke input[name=reason]", "Quyết định ghi nhầm số.")
    council.click("form.revoke button[type=submit]")
    council.wait_for_load_state()
    assert "Đã thu hồi quyết định khen thưởng." in council.inner_text("main")
    assert "Đã thu hồi" in council.inner_text("table.decisions")


def test_a_unit_that_edits_the_url_to_another_units_dossier_is_refused(
    system: System, browser: Any, artifacts: Path,
) -> None:
    other = signed_in(browser, system.workspace.url, "kcht")
    other.goto("/dossiers")
    other.select_option("select[name=award_type]", "giay_khen_giam_doc_so")
    other.click("form.open-dossier button[type=submit]")
    other.wait_for_load_state()
    their_dossier = other.url.split("?")[0]
    their_id = their_dossier.rsplit("/", 1)[1]

    unit = signed_in(browser, system.workspace.url, "qlvt")
    reply = unit.goto(their_dossier)
    assert reply is not None and reply.status == 403
    text = unit.inner_text("main")
    assert "Không có quyền truy cập" in text
    assert "Traceback" not in unit.content()
    assert re.search(r"[ạảãáàăắằẳẵặâấầẩẫậđêếềểễệôốồổỗộơớờởỡợưứừửữự]", text)  # Vietnamese
    shot(unit, artifacts, "refused-other-units-dossier")
    # Nor can it act on it, nor download its Form 08, nor read the other unit's figures.
    token = unit.locator("input[name=csrf_token]").first.get_attribute("value")
    submitted = unit.context.request.post(f"/dossiers/{their_id}/submit",
                                          form={"csrf_token": token, "version": "0"})
    assert submitted.status in (403, 404)
    assert unit.context.request.get(f"/dossiers/{their_id}/form08").status in (403, 404)
    assert unit.goto("/units/KCHT").status == 403  # type: ignore[union-attr]
    other.context.close()
    unit.context.close()


def test_the_board_changes_by_itself_when_a_record_moves_the_standings(
    system: System, browser: Any, artifacts: Path,
) -> None:
    # The Office's own unit leads on K3 (5 of 10 paid online, filed in person: 50 points);
    # QLVT files online but has 1 of 10 paid (about 41 points).
    feed(system, [portal_record(f"VP-{i:03}", unit="VP", procedure="GTVT.VP.01", channel=1,
                                paid=1 if i < 5 else 0) for i in range(10)]
         + [portal_record(f"QLVT-{i:03}", paid=1 if i < 1 else 0) for i in range(10)])
    office = signed_in(browser, system.workspace.url, "vanphong")
    office.goto("/board")
    wait_until(lambda: _first_on_board(office) == "Văn phòng Sở", "VP first on the board")
    office.evaluate("window.__notReloaded = true")
    shot(office, artifacts, "board-before")

    # QLVT's dossiers are re-synced as paid online: 9 of 10 (about 80 points), and it leads.
    feed(system, [portal_record(f"QLVT-{i:03}", paid=1) for i in range(1, 9)])
    wait_until(lambda: _first_on_board(office)
               == "Phòng Quản lý vận tải, phương tiện và người lái", "QLVT first on the board")
    assert office.evaluate("window.__notReloaded") is True  # the same page, updated in place
    assert "90,00%" in office.inner_text("#board-table")
    shot(office, artifacts, "board-after")

    csv_reply = office.context.request.get("/board.csv")
    assert csv_reply.status == 200
    assert csv_reply.body().startswith("\ufeff".encode())
    assert "Phòng Quản lý vận tải" in csv_reply.body().decode("utf-8-sig")
    office.context.close()


def _first_on_board(page: Any) -> str:
    cells = page.locator("#board-table td.subject")
    return str(cells.first.inner_text()).strip() if cells.count() else ""


def test_a_units_page_and_the_operators_page_show_their_figures(
    system: System, browser: Any, artifacts: Path,
) -> None:
    feed(system, [portal_record(f"QLVT-P{i:02}", paid=1) for i in range(3)])
    unit = signed_in(browser, system.workspace.url, "qlvt")
    assert unit.url.endswith("/units/QLVT")
    wait_until(lambda: unit.reload() is not None
               and unit.locator(".indicator-card[data-indicator=K3]").count() == 1,
               "QLVT's indicators on its page")
    card = unit.inner_text(".indicator-card[data-indicator=K3]")
    assert "Chỉ tiêu ≥ 45%" in card and re.search(r"\d+/\d+", card)
    shot(unit, artifacts, "unit-page")
    figures = unit.context.request.get("/units/QLVT/figures.csv")
    assert figures.body().startswith("\ufeff".encode())
    unit.context.close()

    operator = signed_in(browser, system.workspace.url, "vanhanh")
    assert operator.url.endswith("/operators")
    health = operator.locator("table.services td.health").all_inner_texts()
    assert health == ["Hoạt động"] * 4
    inputs = operator.locator("table.services td.inputs").all_inner_texts()
    assert len(inputs) == 4 and set(inputs) <= {"Đã xử lý kịp", "Đang xử lý dữ liệu tồn"}
    shot(operator, artifacts, "operators")
    operator.context.close()
