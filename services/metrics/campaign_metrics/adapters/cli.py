"""The metrics service's command line.

    python -m campaign_metrics [run]                 run the service
    python -m campaign_metrics asyncapi [--output F] its AsyncAPI document
    python -m campaign_metrics rebuild [--no-replay] drop the tables, replay the log into them
    python -m campaign_metrics catalogue load FILE   put a catalogue version on the log
    python -m campaign_metrics catalogue show        the catalogue in force
    python -m campaign_metrics indicators [...]      figures, as a table or --json
    python -m campaign_metrics unknown               dossiers the catalogue does not know
    python -m campaign_metrics unattributed          dossiers of units outside the campaign

Settings come from the environment, as for the service (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS,
TOPIC_PREFIX, ...). Exit status 2 is a bad setting or argument, 1 an unanswerable question.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from aiokafka.errors import KafkaError as AioKafkaError
from kafka.errors import KafkaError

from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import PeriodKind, SubjectKind
from campaign_kit.api_values import MAX_PAGE_SIZE
from campaign_kit.cli import asyncapi_document
from campaign_kit.logs import configure_logging
from campaign_kit.runtime import run
from campaign_kit.settings import load_settings
from campaign_kit.tls import kafka_admin_options
from campaign_kit.topics_admin import ensure_topics
from campaign_metrics import SERVICE
from campaign_metrics.adapters.catalogue_log import CATALOGUE_KEY, publish_once
from campaign_metrics.adapters.queries import (
    IndicatorView,
    QueryError,
    catalogue_in_force,
    get_indicators,
    list_indicators,
    unknown_dossiers,
)
from campaign_metrics.adapters.rebuild import rebuild
from campaign_metrics.adapters.status import units_and_dead_letters
from campaign_metrics.adapters.vietnamese import count, day, percent
from campaign_metrics.app import build_components
from campaign_metrics.domain.catalogue import CatalogueError, load_catalogue
from campaign_metrics.domain.definitions import Definitions
from campaign_metrics.domain.participants import definition_reports
from campaign_metrics.settings import MetricsSettings

EXAMPLES = """ví dụ:
  python -m campaign_metrics indicators --subject QLVT
  python -m campaign_metrics indicators --subject QLVT --period-kind month --period 2024-07
  python -m campaign_metrics indicators --subject-kind officer --subject "QLVT/Nguyễn Thị Hương"
  python -m campaign_metrics indicators --subject-kind department --indicator K3
  python -m campaign_metrics indicators --period-kind week --indicator K3 --json | head
  python -m campaign_metrics unattributed
  python -m campaign_metrics catalogue load danh-muc-2024-08.csv
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"python -m campaign_{SERVICE}",
        description="Dịch vụ chỉ số thi đua: chạy dịch vụ, xem số liệu chỉ số (tử số, mẫu số, "
        "tỷ lệ), danh mục thủ tục và hồ sơ chưa được tính. Số liệu đọc từ cơ sở dữ liệu của "
        "dịch vụ (DATABASE_URL, hoặc tệp SQLite trong DATA_DIR).",
        epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="LỆNH")
    commands.add_parser("run", help="chạy dịch vụ (mặc định)")
    doc = commands.add_parser("asyncapi", help="in tài liệu AsyncAPI của dịch vụ")
    doc.add_argument("--output", type=Path, metavar="TỆP",
                     help="ghi vào tệp này, ví dụ services/metrics/asyncapi.yaml")
    again = commands.add_parser(
        "rebuild", help="xoá các bảng và đọc lại toàn bộ nhật ký vào chúng (dừng dịch vụ trước)")
    again.add_argument("--no-replay", action="store_true",
                       help="chỉ xoá và tạo lại bảng; lần chạy sau sẽ đọc lại nhật ký")
    catalogue = commands.add_parser("catalogue", help="danh mục thủ tục hành chính")
    which = catalogue.add_subparsers(dest="action", required=True, metavar="VIỆC")
    load = which.add_parser("load", help="đưa một danh mục CSV lên nhật ký danh mục, ví dụ: "
                            "catalogue load danh-muc-2024-08.csv")
    load.add_argument("file", type=Path, metavar="TỆP_CSV")
    show = which.add_parser("show", help="danh mục đang áp dụng")
    show.add_argument("--json", action="store_true", help="in JSON thay cho bảng")
    figures = commands.add_parser(
        "indicators", help="số liệu chỉ số của một đối tượng và kỳ (--subject), hoặc mọi ô "
        "số liệu đã lưu theo bộ lọc", epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    figures.add_argument("--subject-kind", choices=[k.value for k in SubjectKind], default="",
                         help="loại đối tượng: unit (đơn vị, mặc định khi có --subject), "
                         "officer (cán bộ) hoặc department (cả Sở)")
    figures.add_argument("--subject", default="", metavar="MÃ",
                         help="mã đơn vị (ví dụ QLVT) hoặc cán bộ dạng đơn vị/họ tên "
                         "(ví dụ \"QLVT/Nguyễn Thị Hương\")")
    figures.add_argument("--period-kind", choices=[k.value for k in PeriodKind], default="",
                         help="kỳ: campaign (cả đợt, mặc định), month (tháng), week (tuần ISO)")
    figures.add_argument("--period", default="", metavar="KỲ",
                         help="tháng dạng 2024-07 hoặc tuần dạng 2024-W27")
    figures.add_argument("--indicator", action="append", default=[], metavar="MÃ_CHỈ_SỐ",
                         help="chỉ số, ví dụ K3 (lặp lại để chọn nhiều)")
    figures.add_argument("--json", action="store_true", help="in JSON thay cho bảng")
    unknown = commands.add_parser("unknown", help="hồ sơ có đơn vị hoặc thủ tục ngoài danh mục")
    unknown.add_argument("--json", action="store_true", help="in JSON thay cho bảng")
    outside = commands.add_parser(
        "unattributed", help="hồ sơ của đơn vị không có trong tệp đợt thi đua, theo đơn vị")
    outside.add_argument("--json", action="store_true", help="in JSON thay cho bảng")
    return parser


def moment(iso: str, campaign: Campaign) -> str:
    """An ISO time as people read it: local time, dd/mm/yyyy HH:MM."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).astimezone(campaign.tz).strftime("%d/%m/%Y %H:%M")


def _period(view: IndicatorView, campaign: Campaign) -> str:
    if view.period_kind == PeriodKind.CAMPAIGN.value:
        return f"cả đợt {day(campaign.period.start)}–{day(campaign.period.end)}"
    if view.period_kind == PeriodKind.MONTH.value:
        year, month = view.period_key.split("-")
        return f"tháng {month}/{year}"
    year, week = view.period_key.split("-W")
    return f"tuần {week}/{year}"


def subject_label(kind: str, code: str, campaign: Campaign) -> str:
    """A subject as people know it: the code with the unit's name."""
    if kind == SubjectKind.DEPARTMENT.value:
        return f"{code} – {campaign.issuing_body}"
    if kind == SubjectKind.UNIT.value:
        unit = campaign.unit(code)
        return f"{code} – {unit.name}" if unit is not None else f"{code} (ngoài đợt thi đua)"
    return code


def print_table(views: Sequence[IndicatorView], out: TextIO, campaign: Campaign) -> None:
    headers = ["Chỉ số", "Đối tượng", "Kỳ", "Tử số", "Mẫu số", "Đếm", "Tỷ lệ", "Chỉ tiêu",
               "Kết quả", "Phiên bản"]
    rows = [[
        v.indicator, subject_label(v.subject_kind, v.subject_code, campaign),
        _period(v, campaign), count(v.numerator), count(v.denominator), v.counted_unit,
        percent(v.rate), percent(v.target, 0), "đạt" if v.target_met else "chưa đạt",
        f"{v.campaign_version}/{v.catalogue_version}",
    ] for v in views]
    _table(headers, rows, out, right={3, 4, 6, 7})
    names = {v.indicator: v.name for v in views}
    for code, name in names.items():
        out.write(f"{code}: {name}\n")


def _table(headers: list[str], rows: list[list[str]], out: TextIO, right: set[int]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out.write(line(headers) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in rows:
        out.write(line(row) + "\n")


def _json(data: Any, out: TextIO) -> None:
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


class NoData(Exception):
    """The database holds no figures: the hint says where the command looked."""


def _where(settings: MetricsSettings) -> str:
    if settings.database_url:
        return "DATABASE_URL"
    return f"DATA_DIR={settings.data_dir} (tệp {settings.data_dir / (SERVICE + '.db')})"


def _read_side(settings: MetricsSettings) -> Any:
    """The components over the service's database; a database the service never wrote to is
    said, not silently created empty."""
    url = settings.sqlalchemy_url(SERVICE)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise NoData(f"chưa có số liệu: không có cơ sở dữ liệu ở {_where(settings)}. Hãy chạy "
                     "dịch vụ (python -m campaign_metrics) hoặc đặt DATA_DIR / DATABASE_URL "
                     "về nơi dịch vụ ghi số liệu.")
    parts = build_components(settings)
    parts.db.create_schema()
    return parts


def _definitions(parts: Any, connection: Any, settings: MetricsSettings) -> Definitions:
    defs: Definitions | None = parts.projection.definitions(connection)
    if defs is None:
        raise NoData(f"chưa có số liệu ở {_where(settings)}: dịch vụ chưa áp dụng danh mục "
                     "thủ tục nào (dịch vụ đã chạy với Kafka chưa?).")
    return defs


def _indicators(settings: MetricsSettings, args: argparse.Namespace, out: TextIO) -> int:
    parts = _read_side(settings)
    with parts.db.begin() as connection:
        defs = _definitions(parts, connection, settings)
        try:
            if args.subject or args.subject_kind == SubjectKind.DEPARTMENT.value:
                views = get_indicators(
                    connection, defs, subject_kind=args.subject_kind, subject_code=args.subject,
                    period_kind=args.period_kind, period_key=args.period,
                    indicators=args.indicator,
                )
            else:
                views, token = [], "0"
                while token:
                    page, token = list_indicators(
                        connection, defs, subject_kind=args.subject_kind,
                        period_kind=args.period_kind, period_key=args.period,
                        indicators=args.indicator, page_size=MAX_PAGE_SIZE,
                        page_token="" if token == "0" else token,
                    )
                    views.extend(page)
        except QueryError as error:
            print(f"lỗi: {error}", file=sys.stderr)
            return 1
    if args.json:
        _json([v.as_dict() for v in views], out)
    else:
        print_table(views, out, parts.campaign)
    return 0


def _unknown(settings: MetricsSettings, args: argparse.Namespace, out: TextIO) -> int:
    parts = _read_side(settings)
    with parts.db.begin() as connection:
        defs = _definitions(parts, connection, settings)
        views, token = [], "0"
        while token:
            page, token = unknown_dossiers(connection, defs, page_size=MAX_PAGE_SIZE,
                                           page_token="" if token == "0" else token)
            views.extend(page)
    if args.json:
        _json([v.as_dict() for v in views], out)
    else:
        _table(["Mã hồ sơ", "Đơn vị", "Thủ tục", "Lý do", "Bản ghi"],
               [[v.dossier_code, v.unit_code, v.procedure_code, v.reason, v.source]
                for v in views], out, right=set())
        out.write(f"{count(len(views))} hồ sơ ngoài danh mục\n")
    return 0


def _unattributed(settings: MetricsSettings, args: argparse.Namespace, out: TextIO) -> int:
    parts = _read_side(settings)
    with parts.db.begin() as connection:
        _definitions(parts, connection, settings)
        _, outside, _ = units_and_dead_letters(connection, parts.projection.participants)
    if args.json:
        _json([asdict(u) for u in outside], out)
        return 0
    _table(["Đơn vị", "Số hồ sơ", "Bản ghi gần nhất"],
           [[u.unit_code, count(u.dossiers), moment(u.last_record_at, parts.campaign)]
            for u in outside], out,
           right={1})
    out.write(f"{count(sum(u.dossiers for u in outside))} hồ sơ của {count(len(outside))} "
              "đơn vị không có trong tệp đợt thi đua: không vào số liệu của Sở và bảng xếp "
              "hạng\n")
    return 0


def _catalogue(settings: MetricsSettings, args: argparse.Namespace, out: TextIO) -> int:
    if args.action == "load":
        parts = build_components(settings)
        try:
            catalogue = load_catalogue(args.file)
        except (OSError, CatalogueError) as error:
            print(f"lỗi: {error}", file=sys.stderr)
            return 2
        event = catalogue.to_event(args.file.name)
        try:
            if settings.create_topics:
                ensure_topics(settings.kafka_bootstrap_servers, [parts.topics.catalogue],
                              **kafka_admin_options(settings))
            asyncio.run(asyncio.wait_for(publish_once(
                settings, parts.topics.catalogue.name,
                event.to_bytes(), CATALOGUE_KEY), timeout=60))
        except (KafkaError, AioKafkaError, TimeoutError) as error:
            print(f"lỗi: không đưa được danh mục lên {parts.topics.catalogue.name}: "
                  f"{type(error).__name__} {error}", file=sys.stderr)
            return 1
        out.write(f"đã đưa danh mục {catalogue.version} ({count(len(catalogue.entries))} dòng) "
                  f"lên {parts.topics.catalogue.name}; dịch vụ sẽ tính lại mọi số liệu\n")
        for line in definition_reports(parts.campaign, catalogue):
            out.write(f"lưu ý: {line}\n")
        return 0
    parts = _read_side(settings)
    with parts.db.begin() as connection:
        current = catalogue_in_force(connection, parts.projection.definitions(connection))
    if args.json:
        _json({"version": current.version, "source": current.source,
               "loaded_at": current.loaded_at, "entries": current.entries}, out)
        return 0
    if not current.version:
        raise NoData(f"chưa có danh mục nào được áp dụng ở {_where(settings)}")
    out.write(f"danh mục {current.version} từ {current.source}, áp dụng lúc "
              f"{current.loaded_at}\n")
    _table(["MaTTHC", "DonVi", "MucDoDVC", "CoPhiLePhi", "TenTTHC"],
           [[e["procedure_code"], e["unit_code"], e["online_level"],
             "1" if e["has_fees"] else "0", e["procedure_name"]] for e in current.entries],
           out, right=set())
    return 0


READ_COMMANDS = {"indicators", "unknown", "unattributed", "catalogue"}


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Runs a command; a question without an answer is one line on stderr and exit 1, and a
    reader that stops early (`| head`) ends it quietly."""
    stream = out or sys.stdout
    args = _parser().parse_args(argv)
    settings = load_settings(MetricsSettings)
    # Questions print answers, not the service's JSON log lines.
    configure_logging(SERVICE, "ERROR" if args.command in READ_COMMANDS
                      else settings.log_level)
    try:
        return _command(args, settings, stream)
    except NoData as hint:
        print(f"lỗi: {hint}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader closed the pipe: say nothing more, and keep Python from complaining
        # while it flushes stdout on the way out.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _command(args: argparse.Namespace, settings: MetricsSettings, stream: TextIO) -> int:
    if args.command == "asyncapi":
        from campaign_metrics.app import build

        text = asyncapi_document(build(settings))
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            stream.write(text)
        return 0
    if args.command == "rebuild":
        from campaign_metrics.app import tune_garbage_collector

        tune_garbage_collector(young=100_000)  # nothing to answer while it runs
        report = asyncio.run(rebuild(settings, replay_log=not args.no_replay))
        if args.no_replay:
            stream.write("đã xoá và tạo lại các bảng; lần chạy sau sẽ đọc lại nhật ký\n")
        else:
            stream.write(
                f"đã dựng lại từ {count(report.records)} bản ghi và "
                f"{count(report.catalogue_versions)} phiên bản danh mục trong "
                f"{report.seconds:.1f}s ({count(round(report.records_per_second))} bản ghi/s); "
                f"{count(report.announced)} ô chỉ số sẽ được công bố khi dịch vụ chạy lại\n"
            )
        return 0
    if args.command == "catalogue":
        return _catalogue(settings, args, stream)
    if args.command == "indicators":
        return _indicators(settings, args, stream)
    if args.command == "unknown":
        return _unknown(settings, args, stream)
    if args.command == "unattributed":
        return _unattributed(settings, args, stream)
    from campaign_metrics.app import build, tune_garbage_collector

    service = build(settings)
    tune_garbage_collector()
    run(service)
    return 0
