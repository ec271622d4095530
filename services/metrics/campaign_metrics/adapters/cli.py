"""The metrics service's command line.

    python -m campaign_metrics [run]                 run the service
    python -m campaign_metrics asyncapi [--output F] its AsyncAPI document
    python -m campaign_metrics rebuild [--no-replay] drop the tables, replay the log into them
    python -m campaign_metrics catalogue load FILE   put a catalogue version on the log
    python -m campaign_metrics catalogue show        the catalogue in force
    python -m campaign_metrics indicators [...]      figures, as a table or --json
    python -m campaign_metrics unknown               dossiers the catalogue does not know

Settings come from the environment, as for the service (DATABASE_URL, KAFKA_BOOTSTRAP_SERVERS,
TOPIC_PREFIX, ...). Exit status 2 is a bad setting or argument, 1 an unanswerable question.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from aiokafka.errors import KafkaError as AioKafkaError
from kafka.errors import KafkaError

from campaign_contracts.events import PeriodKind, SubjectKind
from campaign_kit.cli import asyncapi_document
from campaign_kit.logs import configure_logging
from campaign_kit.runtime import run
from campaign_kit.settings import load_settings
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
from campaign_metrics.app import build_components
from campaign_metrics.domain.catalogue import CatalogueError, load_catalogue
from campaign_metrics.settings import MetricsSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=f"python -m campaign_{SERVICE}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the service (default)")
    doc = commands.add_parser("asyncapi", help="print the AsyncAPI document of the service")
    doc.add_argument("--output", type=Path, help="write it to this file instead")
    again = commands.add_parser(
        "rebuild", help="drop the service's tables and replay its topics into them (stop the "
        "service first)")
    again.add_argument("--no-replay", action="store_true",
                       help="only drop and recreate: the next run replays from the beginning")
    catalogue = commands.add_parser("catalogue", help="the procedure catalogue")
    which = catalogue.add_subparsers(dest="action", required=True)
    load = which.add_parser("load", help="put a catalogue CSV on the catalogue topic")
    load.add_argument("file", type=Path)
    show = which.add_parser("show", help="the catalogue in force")
    show.add_argument("--json", action="store_true")
    figures = commands.add_parser(
        "indicators", help="indicator figures: one subject and period (--subject, or "
        "--subject-kind department), or the stored cells filtered")
    figures.add_argument("--subject-kind", choices=[k.value for k in SubjectKind], default="")
    figures.add_argument("--subject", default="", help="unit code or officer name")
    figures.add_argument("--period-kind", choices=[k.value for k in PeriodKind], default="")
    figures.add_argument("--period", default="", help="e.g. 2024-07 or 2024-W27")
    figures.add_argument("--indicator", action="append", default=[],
                         metavar="CODE")
    figures.add_argument("--json", action="store_true")
    unknown = commands.add_parser("unknown", help="dossiers the catalogue does not know")
    unknown.add_argument("--json", action="store_true")
    return parser


def _rate(view: IndicatorView) -> str:
    return "n/a" if not view.rate else f"{float(view.rate) * 100:.2f}%"


def print_table(views: Sequence[IndicatorView], out: TextIO) -> None:
    headers = ["indicator", "subject", "period", "numerator", "denominator", "rate", "target",
               "met", "versions"]
    rows = [[
        v.indicator, f"{v.subject_kind}:{v.subject_code}", f"{v.period_kind}:{v.period_key}",
        str(v.numerator), str(v.denominator), _rate(v), f"{float(v.target) * 100:.0f}%",
        "yes" if v.target_met else "no", f"{v.campaign_version}/{v.catalogue_version}",
    ] for v in views]
    _table(headers, rows, out, right={3, 4, 5, 6})


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


def _read_side(settings: MetricsSettings) -> Any:
    """The components, with the tables made if the service never ran on this database."""
    parts = build_components(settings)
    parts.db.create_schema()
    return parts


def _indicators(settings: MetricsSettings, args: argparse.Namespace, out: TextIO) -> int:
    parts = _read_side(settings)
    with parts.db.begin() as connection:
        defs = parts.projection.definitions(connection)
        if defs is None:
            print("no procedure catalogue is in force yet: no figures", file=sys.stderr)
            return 1
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
                        indicators=args.indicator, page_size=5000,
                        page_token="" if token == "0" else token,
                    )
                    views.extend(page)
        except QueryError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
    if args.json:
        _json([v.as_dict() for v in views], out)
    else:
        print_table(views, out)
    return 0


def _unknown(settings: MetricsSettings, args: argparse.Namespace, out: TextIO) -> int:
    parts = _read_side(settings)
    with parts.db.begin() as connection:
        defs = parts.projection.definitions(connection)
        if defs is None:
            print("no procedure catalogue is in force yet", file=sys.stderr)
            return 1
        views, token = [], "0"
        while token:
            page, token = unknown_dossiers(connection, defs, page_size=5000,
                                           page_token="" if token == "0" else token)
            views.extend(page)
    if args.json:
        _json([v.as_dict() for v in views], out)
    else:
        _table(["dossier", "unit", "procedure", "reason", "record"],
               [[v.dossier_code, v.unit_code, v.procedure_code, v.reason, v.source]
                for v in views], out, right=set())
    return 0


def _catalogue(settings: MetricsSettings, args: argparse.Namespace, out: TextIO) -> int:
    parts = _read_side(settings)
    if args.action == "load":
        try:
            catalogue = load_catalogue(args.file)
        except (OSError, CatalogueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        event = catalogue.to_event(args.file.name)
        try:
            if settings.create_topics:
                ensure_topics(settings.kafka_bootstrap_servers, [parts.topics.catalogue])
            asyncio.run(asyncio.wait_for(publish_once(
                settings.kafka_bootstrap_servers, parts.topics.catalogue.name,
                event.to_bytes(), CATALOGUE_KEY), timeout=60))
        except (KafkaError, AioKafkaError, TimeoutError) as error:
            print(f"error: the catalogue could not be put on {parts.topics.catalogue.name}: "
                  f"{type(error).__name__} {error}", file=sys.stderr)
            return 1
        out.write(f"catalogue {catalogue.version} ({len(catalogue.entries)} entries) put on "
                  f"{parts.topics.catalogue.name}; the service recomputes with it\n")
        return 0
    with parts.db.begin() as connection:
        current = catalogue_in_force(connection, parts.projection.definitions(connection))
    if args.json:
        _json({"version": current.version, "source": current.source,
               "loaded_at": current.loaded_at, "entries": current.entries}, out)
        return 0
    if not current.version:
        out.write("no catalogue in force yet\n")
        return 0
    out.write(f"catalogue {current.version} from {current.source}, loaded {current.loaded_at}\n")
    _table(["MaTTHC", "DonVi", "MucDoDVC", "CoPhiLePhi", "TenTTHC"],
           [[e["procedure_code"], e["unit_code"], e["online_level"],
             "1" if e["has_fees"] else "0", e["procedure_name"]] for e in current.entries],
           out, right=set())
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    stream = out or sys.stdout
    args = _parser().parse_args(argv)
    settings = load_settings(MetricsSettings)
    configure_logging(SERVICE, settings.log_level)
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

        tune_garbage_collector()
        report = asyncio.run(rebuild(settings, replay_log=not args.no_replay))
        if args.no_replay:
            stream.write("tables dropped and recreated; the next run replays the log\n")
        else:
            stream.write(
                f"rebuilt from {report.records} records and {report.catalogue_versions} "
                f"catalogue versions in {report.seconds:.1f}s "
                f"({report.records_per_second:,.0f} records/s); {report.announced} indicator "
                "cells to announce at the next run\n"
            )
        return 0
    if args.command == "catalogue":
        return _catalogue(settings, args, stream)
    if args.command == "indicators":
        return _indicators(settings, args, stream)
    if args.command == "unknown":
        return _unknown(settings, args, stream)
    from campaign_metrics.app import build, tune_garbage_collector

    service = build(settings)
    tune_garbage_collector()
    run(service)
    return 0
