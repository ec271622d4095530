"""The standings board's one watcher (bảng xếp hạng): a single task asks the awards service for
the standings every viewer is looking at, and wakes the viewers only when they changed. Fifty
screens cost the awards service one call per period and poll, and the table is rendered once per
change, not once per screen."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from campaign_workspace.clients import ServiceError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BoardKey:
    period_key: str = ""      # empty: the whole campaign period
    subject_kind: str = "unit"


@dataclass
class Snapshot:
    version: int
    fingerprint: bytes
    standings: Any            # GetStandingsResponse
    html: str
    fetched_at: float


@dataclass
class _Board:
    snapshot: Snapshot | None = None
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    viewers: int = 0
    last_wanted: float = 0.0


def fingerprint(standings: Any) -> bytes:
    """What a viewer would see, without the moment of asking (as_of moves with every call)."""
    copy = type(standings)()
    copy.CopyFrom(standings)
    copy.as_of = ""
    return bytes(copy.SerializeToString(deterministic=True))


class BoardWatcher:
    def __init__(self, fetch: Callable[[BoardKey], Awaitable[Any]],
                 render: Callable[[BoardKey, Any], str], poll_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.fetch = fetch
        self.render = render
        self.poll_s = poll_s
        self.clock = clock
        self.boards: dict[BoardKey, _Board] = {}
        self.polls = 0
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def current(self, key: BoardKey) -> Snapshot:
        """The latest standings of `key`: the watcher's copy when it is fresh, else asked now."""
        board = self.boards.setdefault(key, _Board())
        board.last_wanted = self.clock()
        snapshot = board.snapshot
        if snapshot is not None and self.clock() - snapshot.fetched_at < self.poll_s:
            return snapshot
        async with self._lock:  # many viewers arriving at once make one call, not many
            snapshot = board.snapshot
            if snapshot is not None and self.clock() - snapshot.fetched_at < self.poll_s:
                return snapshot
            return await self._refresh(key, board)

    async def _refresh(self, key: BoardKey, board: _Board) -> Snapshot:
        standings = await self.fetch(key)
        self.polls += 1
        print_ = fingerprint(standings)
        previous = board.snapshot
        if previous is not None and previous.fingerprint == print_:
            previous.fetched_at = self.clock()
            return previous
        snapshot = Snapshot((previous.version + 1) if previous else 1, print_, standings,
                            self.render(key, standings), self.clock())
        board.snapshot = snapshot
        if previous is not None:
            board.changed.set()
            board.changed = asyncio.Event()
        return snapshot

    async def changes(self, key: BoardKey, seen_version: int, keepalive_s: float = 15.0
                      ) -> AsyncIterator[Snapshot | None]:
        """Each new snapshot of `key` after `seen_version`, for one viewer's event stream; None
        after `keepalive_s` of quiet, so that proxies keep the connection open."""
        board = self.boards.setdefault(key, _Board())
        board.viewers += 1
        try:
            while True:
                snapshot = board.snapshot
                if snapshot is not None and snapshot.version > seen_version:
                    seen_version = snapshot.version
                    yield snapshot
                    continue
                try:
                    await asyncio.wait_for(board.changed.wait(), keepalive_s)
                except TimeoutError:
                    yield None
        finally:
            board.viewers -= 1

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            now = self.clock()
            for key, board in list(self.boards.items()):
                # Watch what someone is watching, or looked at within the last minute.
                if board.viewers == 0 and now - board.last_wanted > 60:
                    continue
                try:
                    async with self._lock:
                        await self._refresh(key, board)
                except ServiceError as error:  # a service down for a moment ends no watch
                    log.warning("board refresh failed: %s", error.reason,
                                extra={"period": key.period_key})
                except Exception:
                    log.exception("board refresh failed", extra={"period": key.period_key})
