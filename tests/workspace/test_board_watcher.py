"""The board's one watcher: many viewers, one call per poll, a push only when the standings
change (not when only the moment of asking does)."""

from __future__ import annotations

import asyncio
from typing import Any

from campaign.awards.v1 import awards_pb2
from campaign_workspace.board import BoardKey, BoardWatcher, Snapshot


class Awards:
    def __init__(self) -> None:
        self.calls = 0
        self.leader = "QLVT"

    async def standings(self, _key: BoardKey) -> Any:
        self.calls += 1
        reply = awards_pb2.GetStandingsResponse(as_of=f"2024-12-31T10:00:{self.calls:02}+07:00")
        reply.rows.add(rank=1, unit_code=self.leader, total_points="90.00")
        return reply


async def test_fifty_viewers_cost_one_call_per_poll_and_hear_only_of_changes() -> None:
    awards = Awards()
    watcher = BoardWatcher(awards.standings, lambda _k, s: s.rows[0].unit_code, poll_s=0.05)
    key = BoardKey()
    first = await watcher.current(key)
    watcher.start()
    seen: list[list[str]] = [[] for _ in range(50)]

    async def viewer(index: int) -> None:
        async for snapshot in watcher.changes(key, first.version, keepalive_s=5):
            assert isinstance(snapshot, Snapshot)
            seen[index].append(snapshot.html)
            return

    viewers = [asyncio.create_task(viewer(i)) for i in range(50)]
    await asyncio.sleep(0.3)  # several polls with nothing new: nobody is woken
    assert all(not s for s in seen)
    polls_while_quiet = awards.calls
    assert 2 <= polls_while_quiet <= 12  # one watcher polling, not fifty viewers
    awards.leader = "KCHT"
    await asyncio.wait_for(asyncio.gather(*viewers), 5)
    await watcher.stop()
    assert seen == [["KCHT"]] * 50
    assert watcher.boards[key].viewers == 0


async def test_a_page_load_within_a_poll_reuses_the_watchers_copy() -> None:
    awards = Awards()
    watcher = BoardWatcher(awards.standings, lambda _k, _s: "", poll_s=60)
    key = BoardKey("2024-07", "unit")
    results = await asyncio.gather(*(watcher.current(key) for _ in range(50)))
    assert awards.calls == 1
    assert {r.version for r in results} == {1}
