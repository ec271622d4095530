"""A bad start ends in one readable line, never a traceback: a port in use, a missing or invalid
campaign file, an unreachable broker, a closed pipe under `... | head`.

`install_failure_hook` (called by `configure_logging`, which every command calls first) turns an
exception that escapes a command into one line on stderr naming the setting at fault where it
can, and the exit status 2 (configuration) or 1 (anything else). The traceback stays available
at LOG_LEVEL=DEBUG, as a JSON log line.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)


class StartupError(Exception):
    """The service cannot start; the message says why in one line (and names the setting)."""


class ConfigurationError(StartupError):
    """A setting points at something unusable (a missing or invalid file)."""


_settings: BaseModel | None = None  # the settings of this process, to name a file's variable


def remember_settings(settings: BaseModel) -> None:
    global _settings
    _settings = settings


def setting_for(path: str | os.PathLike[str] | None) -> str | None:
    """The environment variable whose value is `path`, e.g. CAMPAIGN_FILE."""
    if _settings is None or path is None:
        return None
    wanted = Path(path)
    for name, value in _settings:
        if isinstance(value, Path) and (value == wanted or value.resolve() == wanted.resolve()):
            return name.upper()
    return None


def _named(path: str | os.PathLike[str] | None, text: str) -> str:
    name = setting_for(path)
    return f"{name}: {text}" if name else text


def one_line(exc: BaseException) -> tuple[str, int]:
    """The line and exit status for an exception that stopped a command."""
    if isinstance(exc, ConfigurationError):
        return f"configuration error: {exc}", 2
    if isinstance(exc, StartupError):
        return f"startup error: {exc}", 1
    if isinstance(exc, FileNotFoundError | IsADirectoryError | PermissionError):
        reason = exc.strerror or type(exc).__name__
        return f"configuration error: {_named(exc.filename, f'{reason}: {exc.filename}')}", 2
    if isinstance(exc, yaml.YAMLError):
        mark = getattr(exc, "problem_mark", None)
        source = getattr(mark, "name", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return f"configuration error: {_named(source, f'not valid YAML{where}: {problem}')}", 2
    if isinstance(exc, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        setting = f"{exc.title.upper()}_FILE"
        fields = type(_settings).model_fields if _settings is not None else {}
        known = f"{exc.title.lower()}_file" in fields
        prefix = f"{setting}: " if known else ""
        return f"configuration error: {prefix}invalid {exc.title}: {problems}", 2
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"error: {type(exc).__name__}: {text}", 1


def _flush_quietly() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BrokenPipeError, ValueError, OSError):
            stream.flush()


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the exit flush raises nothing."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (ValueError, OSError):
        pass
    finally:
        os.close(devnull)


def _hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    if isinstance(exc, KeyboardInterrupt):
        sys.__excepthook__(kind, exc, tb)
        return
    if isinstance(exc, BrokenPipeError):
        # `... | head`: the reader has what it wanted; that is not an error.
        _silence_stdout()
        os._exit(0)
    line, status = one_line(exc)
    log.debug("command failed", exc_info=(kind, exc, tb))
    try:
        print(line, file=sys.stderr)
    finally:
        _flush_quietly()
        os._exit(status)  # exit now: no second report from interpreter shutdown


def _flush_stdout_at_exit() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except (ValueError, OSError):
        pass


def install_failure_hook() -> None:
    sys.excepthook = _hook
    # Output that a closed pipe refuses at the final flush: silenced before the interpreter's
    # own flush would print "Exception ignored ... BrokenPipeError".
    atexit.unregister(_flush_stdout_at_exit)
    atexit.register(_flush_stdout_at_exit)


def exit_on(exc: BaseException) -> None:
    """Report `exc` as the hook would, and exit (for code that must catch it itself)."""
    _hook(type(exc), exc, exc.__traceback__)


def port_is_free(host: str, port: int) -> bool:
    """Whether a listener could bind host:port exclusively (port 0 always can)."""
    if port == 0:
        return True
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # Like gRPC: a port left in TIME_WAIT by a stopped instance is free to take again.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


async def wait_for_kafka(bootstrap_servers: str, timeout_s: float,
                         connect: Callable[[str, int], Any] | None = None) -> None:
    """Wait until one bootstrap server accepts a connection, for at most `timeout_s`; then
    raise StartupError naming the servers (instead of the client's minute of retries)."""
    opener = connect or asyncio.open_connection
    servers = [s.strip() for s in bootstrap_servers.split(",") if s.strip()]
    deadline = time.monotonic() + timeout_s
    last = ""
    while True:
        for server in servers:
            host, _, port = server.rpartition(":")
            try:
                _, writer = await asyncio.wait_for(opener(host.strip("[]"), int(port)), 2.0)
            except (OSError, TimeoutError, ValueError) as exc:
                last = str(exc) or type(exc).__name__
                continue
            writer.close()
            return
        if time.monotonic() >= deadline:
            raise StartupError(
                f"Kafka unreachable at KAFKA_BOOTSTRAP_SERVERS={bootstrap_servers} after "
                f"{timeout_s:g}s ({last})"
            )
        await asyncio.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
