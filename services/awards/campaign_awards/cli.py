"""The awards service's command line (Vietnamese headers, names beside codes, Vietnamese
numbers; settings from the environment as for the service: DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS,
TOPIC_PREFIX, CAMPAIGN_FILE, ...).

    python -m campaign_awards [run]                          run the service
    python -m campaign_awards asyncapi [--output F]          its AsyncAPI document
    python -m campaign_awards standings [--period K] [--officers] [--as-of T]
    python -m campaign_awards history UNIT_OR_OFFICER [--period K] [--officers]
    python -m campaign_awards forecast UNIT_OR_OFFICER [--officers]
    python -m campaign_awards candidates [--award A] [--all]
    python -m campaign_awards decisions [--all]
    python -m campaign_awards export [--period K] [--officers] [--as-of T] [--output F]
    python -m campaign_awards rebuild                        empty the tables, replay the log

Exit status 2 is a bad setting or argument (one readable line on stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from campaign_awards import SERVICE, store
from campaign_awards.domain import numbers
from campaign_awards.domain.errors import Refusal
from campaign_awards.queries import Reader
from campaign_awards.settings import AwardsSettings
from campaign_contracts.campaign_file import load_campaign
from campaign_kit.db import Database
from campaign_kit.settings import load_settings

STATUS_VN = {"proposed": "đề xuất", "withdrawn": "đã rút", "decided": "đã quyết định"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m campaign_{SERVICE}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the service (default)")
    doc = commands.add_parser("asyncapi", help="print the AsyncAPI document of the service")
    doc.add_argument("--output", type=Path)
    for name in ("standings", "export"):
        sub = commands.add_parser(name, help=f"{name} of a period")
        sub.add_argument("--period", default="", help="2024-07, 2024-W27; default: campaign")
        sub.add_argument("--officers", action="store_true", help="officers instead of units")
        sub.add_argument("--as-of", default="", help="RFC 3339, e.g. 2024-07-31T23:59:59+07:00")
        if name == "export":
            sub.add_argument("--output", type=Path, help="file; default: the suggested name")
    history = commands.add_parser("history", help="daily points and rank of one nominee")
    history.add_argument("subject", help="unit code or officer key UNIT/Name")
    history.add_argument("--period", default="")
    history.add_argument("--officers", action="store_true")
    forecast = commands.add_parser("forecast", help="where a nominee ends at its pace")
    forecast.add_argument("subject")
    forecast.add_argument("--officers", action="store_true")
    cands = commands.add_parser("candidates", help="nominees the system proposes")
    cands.add_argument("--award", default="")
    cands.add_argument("--all", action="store_true", help="include withdrawn")
    decs = commands.add_parser("decisions", help="the Council's decisions")
    decs.add_argument("--all", action="store_true", help="include revoked")
    commands.add_parser("rebuild", help="empty the tables and replay the log (stop the "
                        "service first)")
    return parser


def _table(headers: list[str], rows: list[list[str]], out: TextIO, right: set[int]) -> None:
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out.write(line(headers) + "\n" + line(["-" * w for w in widths]) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


def _kind(args: argparse.Namespace) -> str:
    return "officer" if args.officers else "unit"


def _standings(reader: Reader, db: Database, args: argparse.Namespace, out: TextIO) -> None:
    with db.begin() as connection:
        view = reader.standings(connection, args.period, _kind(args), args.as_of)
    when = f", tính đến {view.as_of.isoformat()}" if view.as_of else ""
    out.write(f"Bảng xếp hạng — {view.period.label}{when}\n")
    codes = [i.indicator for i in view.rows[0].standing.indicators] if view.rows else []
    headers = ["Hạng", "Mã", "Tên", "Tổng điểm", *codes]
    rows = []
    for r in view.rows:
        s = r.standing
        rank = f"{s.rank}{'=' if s.shared_rank else ''}"
        rows.append([rank, s.subject.code, s.subject.name, numbers.decimal(s.total_points),
                     *(f"{numbers.percent(i.figure.rate)} ({numbers.whole(i.figure.numerator)}/"
                       f"{numbers.whole(i.figure.denominator)})" for i in s.indicators)])
    _table(headers, rows, out, right={0, 3, *range(4, 4 + len(codes))})
    if any(r.standing.shared_rank for r in view.rows):
        out.write("(= đồng hạng)\n")


def _history(reader: Reader, db: Database, args: argparse.Namespace, out: TextIO) -> None:
    with db.begin() as connection:
        period, series = reader.history(connection, _kind(args), args.subject, args.period)
    out.write(f"Diễn biến của {args.subject} — {period.label}\n")
    _table(["Ngày", "Hạng", "Tổng điểm"],
           [[numbers.day(day), str(s.rank), numbers.decimal(s.total_points)]
            for day, s in series], out, right={1, 2})


def _forecast(reader: Reader, db: Database, args: argparse.Namespace, out: TextIO) -> None:
    with db.begin() as connection:
        now, results = reader.forecast(connection, _kind(args), args.subject)
    window = reader.campaign.standings.forecast_window_days
    out.write(f"Dự báo cho {args.subject} đến {numbers.day(reader.campaign.period.end)} "
              f"(theo nhịp {window} ngày gần nhất"
              f"{', số liệu đến ' + now.isoformat() if now else ''})\n")
    if not results:
        out.write("Chưa có số liệu cả đợt thi đua của đối tượng này.\n")
        return
    _table(["Chỉ tiêu", "Hiện tại", "Dự kiến", "Chỉ tiêu đặt", "Đánh giá"],
           [[f"{f.rule.code} {f.rule.name}", numbers.percent(f.now.rate),
             f"{numbers.percent(f.expected.rate)} ({numbers.whole(f.expected.numerator)}/"
             f"{numbers.whole(f.expected.denominator)})", numbers.percent(f.rule.target),
             f.gap_text] for f in results], out, right={1, 2, 3})


def _candidates(reader: Reader, db: Database, args: argparse.Namespace, out: TextIO) -> None:
    with db.begin() as connection:
        found = reader.candidates(connection, args.award, include_withdrawn=args.all)
    names = {a.code: a.name for a in reader.campaign.awards}
    rows = [[names.get(r.award_type, r.award_type), r.nominee_code, r.nominee_name,
             STATUS_VN.get(r.status, r.status), str(e.rank or ""),
             numbers.decimal(e.total_points) if e.total_points is not None else "",
             "; ".join(c.detail for c in e.conditions)] for r, e in found]
    _table(["Hình thức", "Mã", "Tên", "Trạng thái", "Hạng", "Điểm", "Căn cứ"], rows, out,
           right={4, 5})


def _decisions(reader: Reader, db: Database, args: argparse.Namespace, out: TextIO) -> None:
    with db.begin() as connection:
        found = reader.decisions(connection, include_revoked=args.all)
    rows = [[d.decision_number, numbers.day(d.decision_date), d.award_name, d.nominee_code,
             d.nominee_name, d.signer, "đã thu hồi" if row.revoked else "còn hiệu lực"]
            for d, row in found]
    _table(["Số quyết định", "Ngày", "Hình thức", "Mã", "Tên", "Người ký", "Hiệu lực"], rows,
           out, right=set())


def _export(reader: Reader, db: Database, args: argparse.Namespace, out: TextIO) -> None:
    with db.begin() as connection:
        view = reader.standings(connection, args.period, _kind(args), args.as_of)
    filename, data = reader.export_csv(view)
    target = args.output or Path(filename)
    target.write_bytes(data)
    out.write(f"Đã ghi {target} ({numbers.whole(len(view.rows))} dòng)\n")


QUERIES = {"standings": _standings, "history": _history, "forecast": _forecast,
           "candidates": _candidates, "decisions": _decisions, "export": _export}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    args = _parser().parse_args(argv)
    settings = load_settings(AwardsSettings)
    if args.command in QUERIES or args.command == "rebuild":
        campaign = load_campaign(settings.campaign_file)
        db = Database(settings.sqlalchemy_url(SERVICE), store.metadata)
        try:
            if args.command == "rebuild":
                from campaign_awards.app import AwardsTopics
                from campaign_awards.rebuild import RebuildRefused, rebuild
                from campaign_kit.topic_reader import TopicReader

                try:
                    report = asyncio.run(rebuild(db, campaign, TopicReader.of(settings),
                                                 AwardsTopics.of(settings.topic_prefix)))
                except RebuildRefused as refused:
                    print(f"lỗi (unpublished_events): {refused}", file=sys.stderr)
                    return 2
                stream.write(
                    f"Đã dựng lại từ {numbers.whole(report.indicator_events)} sự kiện chỉ số, "
                    f"{numbers.whole(report.candidate_events)} sự kiện đề xuất, "
                    f"{numbers.whole(report.dossier_events)} sự kiện hồ sơ và "
                    f"{numbers.whole(report.decisions)} sự kiện quyết định\n")
                return 0
            db.create_schema()
            QUERIES[args.command](Reader(campaign), db, args, stream)
        except Refusal as refusal:
            print(f"lỗi ({refusal.reason}): {refusal.message}", file=sys.stderr)
            return 2
        finally:
            db.dispose()
        return 0
    from campaign_awards.app import build
    from campaign_kit.cli import service_main

    return service_main(SERVICE, AwardsSettings, build, argv)
