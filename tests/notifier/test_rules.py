"""Every notification rule, end to end through the composition root to a real SMTP server and a
real webhook receiver that verifies signatures, with a clock the test moves."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from campaign_notifier.domain.model import Forecast
from devkit.smtp import SmtpServer
from tests.notifier import builders as b
from tests.notifier.harness import Harness, build_harness, texts
from tests.notifier.receiver import WebhookInbox

QLVT = "qlvt@sgtvt.langson.example"
QLVT_NAME = "Phòng Quản lý vận tải, phương tiện và người lái"


def harness(tmp_path: Path, smtp: SmtpServer, only: str,
            start: str = "2024-07-01T06:00:00+07:00",
            webhooks: tuple[str, WebhookInbox] | None = None, **kwargs: object) -> Harness:
    """The notifier with one rule of the seed campaign (as its YAML configures it)."""
    url, inbox = webhooks if webhooks else (None, None)
    campaign = b.campaign((only,), webhook_url=url, quiet_hours=None)
    return build_harness(f"sqlite:///{tmp_path / 'notifier.db'}", campaign, smtp, start,
                         inbox, **kwargs)  # type: ignore[arg-type]


def to(h: Harness, address: str, rule: str = "") -> list[str]:
    """Subjects of the e-mails to an address (of one rule: its words in the subject)."""
    return [s for t, s in h.subjects() if address in t and rule in s]


def last_text(h: Harness, address: str) -> str:
    """The plain text of the latest e-mail to an address."""
    mails = [m for m in h.mails() if address in str(m["To"])]
    return texts(mails[-1:])[0]


TARGET = "chỉ tiêu K"  # words of the target_settled subjects


async def test_a_crossing_that_does_not_hold_is_never_told(tmp_path: Path, smtp: SmtpServer
                                                          ) -> None:
    h = harness(tmp_path, smtp, "target_settled")
    await h.at("2024-07-01T06:00:00+07:00")  # first start: nothing was missed
    # Issue 9: QLVT's K3 crossed to 45,80% (120/262) on the way to 43,71% (459/1050).
    h.publish(b.indicator("QLVT", "K3", 120, 262))
    await h.at("2024-07-01T08:00:00+07:00")  # held two hours: not settled
    h.publish(b.indicator("QLVT", "K3", 130, 300))  # 43,33%: back below
    await h.at("2024-07-02T17:00:00+07:00")
    h.publish(b.indicator("QLVT", "K3", 459, 1050))
    await h.at("2024-07-05T17:00:00+07:00")
    assert to(h, QLVT, TARGET) == []


async def test_a_settled_crossing_is_told_and_so_is_falling_back(tmp_path: Path,
                                                                 smtp: SmtpServer) -> None:
    h = harness(tmp_path, smtp, "target_settled")
    await h.at("2024-07-01T06:00:00+07:00")
    h.publish(b.indicator("VP", "K3", 9, 19))  # 47,37% on 19 dossiers: too few to judge
    h.publish(b.indicator("QLVT", "K3", 9, 20))  # exactly 45,00% on 20: at the target
    await h.at("2024-07-02T08:00:00+07:00")  # held 26 h: settled
    assert to(h, QLVT, TARGET) == [f"[Thi đua] {QLVT_NAME} đạt chỉ tiêu K3: 45,00%"]
    assert to(h, "vanphong@", TARGET) == []
    text = texts(h.mails())[-1]
    assert "- K3 – Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG: 45,00% (9/20 hồ sơ), " \
           "chỉ tiêu ≥ 45,00%." in text
    assert "Việc cần làm tiếp:" in text and "31/12/2024" in text
    await h.at("2024-07-02T17:00:00+07:00")  # judged again: nothing new to say
    h.publish(b.indicator("QLVT", "K3", 9, 21))  # 42,86%
    await h.at("2024-07-03T08:00:00+07:00")  # below for 15 h only
    h.publish(b.indicator("QLVT", "K3", 9, 22))
    await h.at("2024-07-04T08:00:00+07:00")  # below since 07-02 17:00: settled
    assert to(h, QLVT, TARGET)[1:] == [
        f"[Thi đua] {QLVT_NAME} không còn đạt chỉ tiêu K3: 40,91%"]
    assert "còn thiếu 4,09 điểm phần trăm" in texts(h.mails())[-1]


async def test_digest_shows_figures_in_their_units_shared_ranks_and_changes(
    tmp_path: Path, smtp: SmtpServer, webhooks: tuple[str, WebhookInbox],
) -> None:
    h = harness(tmp_path, smtp, "digest", webhooks=webhooks)
    await h.at("2024-07-01T06:00:00+07:00")
    h.publish(b.indicator("QLVT", "K1", 14, 15), b.indicator("QLVT", "K2", 1091, 1200),
              b.indicator("QLVT", "K3", 459, 1050))
    h.publish(b.standing("QLVT", QLVT_NAME, 1, "99.60"), b.standing("VP", "Văn phòng Sở", 1,
              "99.60"), b.standing("KCHT", "x", 3, "50"))
    await h.at("2024-07-08T07:30:00+07:00")  # Monday
    first = {t: s for t, s in h.subjects()}
    assert len(first) == 5  # every unit, the one with no figures too
    qlvt_subject = next(s for t, s in first.items() if QLVT in t)
    assert qlvt_subject == f"[Thi đua] Bản tin ngày 08/07/2024: {QLVT_NAME} – đồng hạng 1/5"
    body = last_text(h, QLVT)
    assert "K1 – Tỷ lệ DVC phát sinh hồ sơ trực tuyến: 93,33% (14/15 dịch vụ)" in body
    assert "K2 – Tỷ lệ hồ sơ xử lý trực tuyến: 90,92% (1.091/1.200 hồ sơ)" in body
    assert "43,71% (459/1.050 hồ sơ), chỉ tiêu ≥ 45,00% – Chưa đạt" in body
    assert "Xếp hạng: đồng hạng 1/5 đơn vị, tổng điểm 99,60." in body
    assert "Dự báo đến cuối đợt: chưa có" in body
    english = next(s for t, s in first.items() if "thanhtra@" in t)
    assert english == "[Campaign] Digest of 08/07/2024: Thanh tra Sở"
    h.publish(b.indicator("QLVT", "K3", 480, 1060))
    await h.at("2024-07-09T07:30:00+07:00")  # Tuesday: weekly, nothing
    assert len(h.mails()) == 5
    await h.at("2024-07-15T07:30:00+07:00")
    qlvt = last_text(h, QLVT)
    assert "Bản tin trước (08/07/2024): 43,71% (459/1.050 hồ sơ)" in qlvt
    assert "K1 – Tỷ lệ DVC phát sinh hồ sơ trực tuyến: 93,33% (14/15 dịch vụ), chỉ tiêu ≥ " \
           "90,00% – Đạt. Không đổi so với bản tin trước." in qlvt
    _url, inbox = webhooks
    assert [a["rule"] for a in inbox.accepted] == ["digest", "digest"]  # KCHT's webhook
    assert inbox.refused == 0


async def test_digest_runs_daily_in_the_last_days_and_once_after_downtime(
    tmp_path: Path, smtp: SmtpServer,
) -> None:
    h = harness(tmp_path, smtp, "digest", forecasts={"QLVT": [Forecast(
        "K3", Decimal("0.4371"), False, 12, "cần thêm 12 hồ sơ thanh toán trực tuyến")]})
    await h.at("2024-07-01T06:00:00+07:00")
    h.publish(b.indicator("QLVT", "K3", 459, 1050))
    # Down from 1 July to 20 December: three months of Mondays missed, one digest each.
    await h.at("2024-12-20T09:00:00+07:00")
    qlvt = to(h, QLVT)
    assert [s for s in qlvt if "Bản tin" in s] == [
        f"[Thi đua] Bản tin ngày 20/12/2024: {QLVT_NAME}"]
    for day in (21, 22):  # the last 14 days: daily
        await h.at(f"2024-12-{day}T07:30:00+07:00")
    assert len([s for s in to(h, QLVT) if "Bản tin" in s]) == 3
    body = last_text(h, QLVT)
    assert "Dự báo cuối đợt: 43,71%, chưa đạt (cần thêm 12 hồ sơ thanh toán trực tuyến)" \
        in body


async def test_at_risk_with_days_left(tmp_path: Path, smtp: SmtpServer) -> None:
    h = harness(tmp_path, smtp, "at_risk", start="2024-11-30T06:00:00+07:00")
    await h.at("2024-11-30T06:00:00+07:00")
    h.publish(b.indicator("QLVT", "K3", 459, 1050), b.indicator("VP", "K3", 10, 19),
              b.indicator("KHTC", "K3", 500, 1000))
    await h.at("2024-12-01T08:00:00+07:00")  # 30 days left
    assert to(h, QLVT) == [
        f"[Thi đua] Cảnh báo: còn 30 ngày, {QLVT_NAME} chưa đạt chỉ tiêu K3"]
    assert to(h, "vanphong@") == [] and to(h, "khtc@") == []  # too few; met
    assert "còn thiếu 1,29 điểm phần trăm so với chỉ tiêu" in texts(h.mails())[0]
    await h.at("2024-12-02T08:00:00+07:00")
    assert len(to(h, QLVT)) == 1


async def test_dossier_received_returned_with_what_is_missing_and_accepted_once_each(
    tmp_path: Path, smtp: SmtpServer,
) -> None:
    h = harness(tmp_path, smtp, "dossier_status")
    dossier = uuid.uuid4()
    events = [b.attached(dossier, "QLVT", 2, "bien_ban_hop_xet"),
              b.submitted(dossier, "QLVT", 3), b.returned(dossier, "QLVT", 4)]
    h.publish(*events)
    h.publish(*events)  # redelivered after a crash upstream: decided once
    await h.at("2024-12-10T09:00:00+07:00")
    h.publish(b.submitted(dossier, "QLVT", 5), b.accepted(dossier, "QLVT", 6))
    await h.at("2024-12-10T10:00:00+07:00")
    award = "Giấy khen của Giám đốc Sở"
    assert to(h, QLVT) == [
        f"[Thi đua] Văn phòng Sở đã nhận hồ sơ đề nghị {award} – {QLVT_NAME}",
        f"[Thi đua] Hồ sơ đề nghị {award} – {QLVT_NAME} cần bổ sung",
        f"[Thi đua] Văn phòng Sở đã nhận hồ sơ đề nghị {award} – {QLVT_NAME}",
        f"[Thi đua] Hồ sơ đề nghị {award} – {QLVT_NAME} đã được chấp nhận",
    ]
    returned = texts(h.mails())[1]
    assert "- Báo cáo thành tích (Mẫu số 08, Nghị định 98/2023/NĐ-CP): Thiếu chữ ký của " \
           "Thủ trưởng đơn vị" in returned
    assert "Tài liệu còn thiếu trong hồ sơ:\n- Báo cáo thành tích" in returned
    assert "Biên bản họp xét của đơn vị" not in returned.split("còn thiếu")[1]
    assert "nộp lại hồ sơ trước hạn (hết ngày 31/12/2024)" in returned


async def test_deadline_reminders_go_to_units_with_a_candidate_and_no_dossier(
    tmp_path: Path, smtp: SmtpServer,
) -> None:
    h = harness(tmp_path, smtp, "deadline", start="2024-12-16T06:00:00+07:00")
    await h.at("2024-12-16T06:00:00+07:00")
    dossier = uuid.uuid4()
    h.publish(b.candidate("QLVT", nominee_name=QLVT_NAME), b.candidate("KCHT"),
              b.candidate("QLVT", "individual", "QLVT/Nguyễn Thị Hương", "Nguyễn Thị Hương"))
    h.publish(b.submitted(dossier, "KCHT", 3).model_copy(update={"unit_code": "KCHT",
                                                                 "nominee_code": "KCHT"}))
    await h.at("2024-12-17T08:00:00+07:00")  # 14 days before the deadline
    assert [(QLVT in t, s) for t, s in h.subjects()] == [
        (True, "[Thi đua] Còn 14 ngày đến hạn nộp hồ sơ đề nghị khen thưởng (31/12/2024)")]
    text = texts(h.mails())[0]
    assert f"- Giấy khen của Giám đốc Sở: {QLVT_NAME}\n" \
           "- Giấy khen của Giám đốc Sở: Nguyễn Thị Hương" in text
    for day in ("24", "28", "30"):
        await h.at(f"2024-12-{day}T08:00:00+07:00")
    assert [s.split("] ")[1][:12] for _, s in h.subjects()] == ["Còn 14 ngày ", "Còn 7 ngày đ",
                                                              "Còn 3 ngày đ", "Còn 1 ngày đ"]


async def test_award_decided_and_revoked(tmp_path: Path, smtp: SmtpServer) -> None:
    h = harness(tmp_path, smtp, "decided")
    decision = b.decided("QLVT")
    h.clock.set(datetime.fromisoformat("2025-01-15T09:00:00+07:00"))
    h.publish(decision, decision)
    await h.advance(minutes=1)
    assert to(h, QLVT) == [
        "[Thi đua] Quyết định khen thưởng số 125/QĐ-SGTVT ngày 15/01/2025: Giấy khen của "
        f"Giám đốc Sở – {QLVT_NAME}"]
    text = texts(h.mails())[0]
    assert "theo Quyết định số 125/QĐ-SGTVT ngày 15/01/2025 do Giám đốc Sở Nguyễn Văn A ký" \
        in text
    assert "Đợt thi đua đã kết thúc ngày 31/12/2024." in text  # no deadline in the past


async def test_a_portal_or_unit_silent_in_working_hours_alerts_the_operators(
    tmp_path: Path, smtp: SmtpServer,
) -> None:
    h = harness(tmp_path, smtp, "silent", start="2024-12-16T07:00:00+07:00")  # a Monday
    await h.at("2024-12-16T07:00:00+07:00")
    h.publish(b.record("QLVT", datetime.fromisoformat("2024-12-16T16:30:00+07:00")))
    await h.at("2024-12-16T17:00:00+07:00")
    await h.at("2024-12-17T08:45:00+07:00")  # 30 + 75 working minutes: not yet
    assert h.subjects() == []
    await h.at("2024-12-17T09:15:00+07:00")  # 30 + 105: still under 120
    await h.at("2024-12-17T09:45:00+07:00")
    assert sorted(s for _, s in h.subjects()) == [
        "[Vận hành] Cổng portal.dossier-records.v1 không gửi hồ sơ từ 16:30 16/12/2024",
        f"[Vận hành] Đơn vị {QLVT_NAME} không gửi hồ sơ từ 16:30 16/12/2024"]
    assert all("vanhanh@" in t for t, _ in h.subjects())
    await h.at("2024-12-17T11:00:00+07:00")  # the same silence is alerted once
    assert len(h.mails()) == 2


