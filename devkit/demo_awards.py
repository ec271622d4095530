"""The awards part of the demo: a month's standings with shared ranks, a unit's forecast to the
end of the campaign, and the candidates the system proposes to the Council."""

from __future__ import annotations

import json
import time
import urllib.request
from typing import Any

from kafka import KafkaProducer

from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from devkit.processes import ServiceProcess


def vn_number(text: str) -> str:
    """'45.80' -> '45,80'."""
    return text.replace(".", ",") if text else "n/a"


def vn_percent(rate: str) -> str:
    return f"{vn_number(f'{float(rate) * 100:.2f}')}%" if rate else "n/a"


def _applied(awards: ServiceProcess) -> float:
    """Indicator events the awards projection applied so far (from its /metrics)."""
    url = f"http://127.0.0.1:{awards.metrics_port}/metrics"
    with urllib.request.urlopen(url) as reply:
        return sum(float(line.rsplit(" ", 1)[1])
                   for line in reply.read().decode("utf-8").splitlines()
                   if line.startswith("projection_records_applied_total{")
                   and 'consumer="awards.indicators"' in line)


def wait_until_settled(awards: ServiceProcess, quiet_s: float = 3.0, limit_s: float = 300.0
                       ) -> float:
    """Wait until the awards projection has applied nothing new for `quiet_s`; returns how long
    it took."""
    started = last_change = time.monotonic()
    seen = -1.0
    while time.monotonic() - started < limit_s:
        applied = _applied(awards)
        if applied != seen:
            seen, last_change = applied, time.monotonic()
        elif applied and time.monotonic() - last_change >= quiet_s:
            break
        time.sleep(0.5)
    return last_change - started


def print_awards(awards: ServiceProcess, month: str = "2024-12", unit: str = "QLVT") -> None:
    with awards.channel() as channel:
        stub: Any = awards_pb2_grpc.AwardsServiceStub(channel)  # type: ignore[no-untyped-call]
        periods = {p.key: p.label for p in stub.ListPeriods(awards_pb2.ListPeriodsRequest())
                   .periods}
        standings = stub.GetStandings(awards_pb2.GetStandingsRequest(period_key=month))
        forecast = stub.GetForecast(awards_pb2.GetForecastRequest(subject_code=unit))
        candidates = stub.ListCandidates(awards_pb2.ListCandidatesRequest()).candidates
    print(f"\nBảng xếp hạng {periods.get(month, month)} (= đồng hạng):")
    for row in standings.rows:
        rank = f"{row.rank}{'=' if row.shared_rank else ''}"
        print(f"{rank:>4}  {row.unit_code:<5} {vn_number(row.total_points):>7}  {row.unit_name}")
    end = "/".join(reversed(forecast.campaign_end.split("-")))  # 2024-12-31 -> 31/12/2024
    print(f"\nDự báo của {forecast.subject_name} đến {end} "
          f"(nhịp {forecast.window_days} ngày gần nhất):")
    for f in forecast.indicators:
        print(f"  {f.indicator}: hiện {vn_percent(f.rate)}, dự kiến {vn_percent(f.expected_rate)} "
              f"(chỉ tiêu {vn_percent(f.target)}) — {f.gap_text}")
    print_candidates(candidates)


def top_up(bootstrap: str, inbound: str, synced_after_ms: int, officer: str = "Hoàng Văn Đức",
           count: int = 20) -> None:
    """A one-stop-shop officer of QLVT receives `count` more dossiers in December 2024, filed
    and paid online: enough for the individual award's K3 condition in the seed feed. The
    portal syncs them after everything the feed sent (`synced_after_ms`), as a late batch."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    for i in range(count):
        received = f"202412{20 + i % 10:02d}0900{i % 60:02d}"
        code = f"QLVT-DEMO-{i:03d}"
        record = {
            "MaHoSo": code, "MaTTHC": "GTVT.GPLX.02",
            "TenTTHC": "Đổi Giấy phép lái xe do ngành Giao thông vận tải cấp",
            "DonViXuLy": "QLVT", "KenhThucHien": 2, "TrangThaiHoSo": 10,
            "NgayTiepNhan": received, "NgayTra": received, "DuocThanhToanTrucTuyen": 1,
            "QuaTrinhXuLy": [{"NguoiXuLy": officer, "ChucDanh": "Chuyên viên",
                              "PhongBanXuLy": "Bộ phận Một cửa", "ThoiDiemXuLy": received,
                              "NoiDungXuLy": "Tiếp nhận hồ sơ"}],
        }
        value = json.dumps(record, ensure_ascii=False).encode("utf-8")
        producer.send(inbound, key=code.encode(), value=value,
                      timestamp_ms=synced_after_ms + 1000 * (i + 1))
    producer.flush()
    producer.close()


def print_candidates(candidates: Any) -> None:
    print(f"\nĐề xuất khen thưởng ({len(candidates)}):")
    for c in candidates:
        print(f"  {c.award_name}: {c.nominee_name} ({c.nominee_code}), hạng {c.rank}, "
              f"{vn_number(c.total_points)} điểm")
        for condition in c.conditions:
            print(f"      {'✓' if condition.met else '✗'} {condition.detail}")


def show_candidates_after_top_up(awards: ServiceProcess, bootstrap: str, inbound: str,
                                 synced_after_ms: int) -> None:
    print("\nThêm 20 hồ sơ nộp và thanh toán trực tuyến do Hoàng Văn Đức (QLVT) tiếp nhận "
          "trong tháng 12/2024:")
    top_up(bootstrap, inbound, synced_after_ms)
    wait_until_settled(awards)
    with awards.channel() as channel:
        stub: Any = awards_pb2_grpc.AwardsServiceStub(channel)  # type: ignore[no-untyped-call]
        print_candidates(stub.ListCandidates(awards_pb2.ListCandidatesRequest()).candidates)
