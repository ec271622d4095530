"""The awards command line: Vietnamese headers, names beside codes, Vietnamese numbers, a CSV
for Excel, and one readable line with a non-zero exit for a bad question."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from campaign_contracts.events import SubjectKind
from devkit.infra import ROOT
from tests.awards.builders import all_targets, update
from tests.awards.harness import Harness


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'awards.db'}"
    h = Harness(url)
    for event in all_targets("QLVT", "2024-07-10T08:00:00+07:00"):
        h.indicator(event)
    for unit in ("VP", "KCHT"):
        h.indicator(update(unit, "K3", 1091, 2382, period="2024-07",
                           as_of="2024-07-10T08:00:00+07:00"))
        h.indicator(update(unit, "K3", 1091, 2382, as_of="2024-07-10T08:00:00+07:00"))
    h.indicator(update("QLVT/Nguyễn Thị Hương", "K3", 20, 30, kind=SubjectKind.OFFICER))
    h.db.dispose()
    return url


def cli(database: str, *args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database, "LOG_LEVEL": "ERROR"}
    return subprocess.run([sys.executable, "-m", "campaign_awards", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_monthly_standings_show_shared_ranks_names_and_vietnamese_numbers(database: str
                                                                         ) -> None:
    result = cli(database, "standings", "--period", "2024-07")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Bảng xếp hạng — Tháng 7/2024"
    assert lines[1].split()[:4] == ["Hạng", "Mã", "Tên", "Tổng"]
    kcht = next(line for line in lines if " KCHT " in line)
    assert kcht.lstrip().startswith("1=") and "Phòng Quản lý kết cấu hạ tầng giao thông" in kcht
    assert "45,80% (1.091/2.382)" in kcht and "50,00" in kcht
    assert "(= đồng hạng)" in lines[-1]


def test_candidates_forecast_history_and_decisions(database: str) -> None:
    candidates = cli(database, "candidates")
    assert candidates.returncode == 0, candidates.stderr
    assert "Giấy khen của Giám đốc Sở" in candidates.stdout
    assert "Nguyễn Thị Hương" in candidates.stdout and "đề xuất" in candidates.stdout
    forecast = cli(database, "forecast", "QLVT")
    assert forecast.returncode == 0, forecast.stderr
    assert "dự kiến đạt chỉ tiêu" in forecast.stdout
    history = cli(database, "history", "QLVT")
    assert "10/07/2024" in history.stdout
    decisions = cli(database, "decisions")
    assert decisions.returncode == 0 and "Số quyết định" in decisions.stdout


def test_export_writes_a_csv_excel_reads(database: str, tmp_path: Path) -> None:
    target = tmp_path / "bxh.csv"
    result = cli(database, "export", "--period", "2024-07", "--output", str(target))
    assert result.returncode == 0, result.stderr
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and "Tổng điểm".encode() in data
    assert b"45,80%" in data


@pytest.mark.parametrize("args, reason", [
    (("standings", "--period", "garbage"), "unknown_period"),
    (("standings", "--as-of", "hôm qua"), "bad_as_of"),
    (("history", "NGOAI"), "unknown_subject"),
])
def test_a_bad_question_is_one_readable_line_and_exit_2(
        database: str, args: tuple[str, ...], reason: str) -> None:
    result = cli(database, *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"lỗi ({reason}): ")


def test_rebuild_refuses_to_empty_a_database_with_unpublished_events(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'awards.db'}"
    h = Harness(url)
    h.indicator(update("QLVT", "K3", 5, 10))  # a StandingUpdated waits in the outbox
    h.db.dispose()
    result = cli(url, "rebuild")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("lỗi (unpublished_events): 1 sự kiện chưa được")
