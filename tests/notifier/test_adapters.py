"""The notifier's adapters against real parts: its tables on SQLite and on a real PostgreSQL
(times in UTC whatever the offset they came with), and the awards service answering
UNIMPLEMENTED for forecasts over a real gRPC socket."""

from __future__ import annotations

from pathlib import Path

import grpc

from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from campaign_notifier.forecast import AwardsForecasts
from devkit.smtp import SmtpServer
from tests.notifier import builders as b
from tests.notifier.harness import build_harness, texts


async def test_settled_targets_and_digests_on_each_database(database_url: str,
                                                            smtp: SmtpServer) -> None:
    campaign = b.campaign(("target_settled", "digest"), quiet_hours=None)
    h = build_harness(database_url, campaign, smtp, "2024-07-02T06:00:00+07:00")  # Tuesday
    await h.at("2024-07-02T06:00:00+07:00")
    h.publish(b.indicator("QLVT", "K3", 9, 20))
    h.publish(b.indicator("QLVT", "K3", 9, 20))  # redelivered: the state's age is kept
    await h.at("2024-07-03T08:00:00+07:00")
    await h.at("2024-07-08T07:30:00+07:00")
    subjects = [s for _, s in h.subjects() if "qlvt@" in _]
    assert subjects == [
        "[Thi đua] Phòng Quản lý vận tải, phương tiện và người lái đạt chỉ tiêu K3: 45,00%",
        "[Thi đua] Bản tin ngày 08/07/2024: Phòng Quản lý vận tải, phương tiện và người lái"]
    assert "liên tục ít nhất 24 giờ trước lần đánh giá lúc 08:00 03/07/2024" in texts(
        h.mails()[:1])[0]
    await h.at("2024-07-08T17:00:00+07:00")
    assert len(h.mails()) == 6  # nothing told twice
    h.db.dispose()


class AwardsWithoutForecasts(awards_pb2_grpc.AwardsServiceServicer):
    """An awards service from before GetForecast: the base class answers UNIMPLEMENTED."""


async def test_a_forecast_the_awards_service_does_not_offer_is_none(tmp_path: Path) -> None:
    server = grpc.aio.server()
    awards_pb2_grpc.add_AwardsServiceServicer_to_server(AwardsWithoutForecasts(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        assert await AwardsForecasts(f"127.0.0.1:{port}", "t" * 20)("QLVT") is None
    finally:
        await server.stop(None)
    assert await AwardsForecasts("127.0.0.1:1", "", timeout_s=1)("QLVT") is None  # down
    assert awards_pb2.GetForecastRequest(subject_code="QLVT").subject_code == "QLVT"
