"""The command line every service shares: `run` (the default) and `asyncapi`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import yaml

from campaign_kit.logs import configure_logging
from campaign_kit.runtime import ServiceRuntime, run
from campaign_kit.settings import ServiceSettings, load_settings

S = TypeVar("S", bound=ServiceSettings)


def asyncapi_document(runtime: ServiceRuntime) -> str:
    """The AsyncAPI document as YAML, Vietnamese text left readable, with its channels,
    operations and messages in name order: FastStream keeps publishers in a WeakSet, whose
    order changes from run to run, and the committed copy must be reproducible."""
    document = runtime.asyncapi().to_specification().to_jsonable()
    for path in (("channels",), ("operations",), ("components", "messages"),
                 ("components", "schemas")):
        *parents, last = path
        holder = document
        for name in parents:
            holder = holder.get(name, {})
        if isinstance(holder.get(last), dict):
            holder[last] = dict(sorted(holder[last].items()))
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def service_main(
    service: str, settings_cls: type[S], build: Callable[[S], ServiceRuntime],
    argv: Sequence[str] | None = None,
) -> int:
    parser = argparse.ArgumentParser(prog=f"python -m campaign_{service}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the service (default)")
    doc = commands.add_parser("asyncapi", help="print the AsyncAPI document of the service")
    doc.add_argument("--output", type=Path, help="write it to this file instead")
    args = parser.parse_args(argv)
    settings = load_settings(settings_cls)
    configure_logging(service, settings.log_level)
    runtime = build(settings)
    if args.command == "asyncapi":
        text = asyncapi_document(runtime)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0
    run(runtime)
    return 0
