"""The standings board's server time at many concurrent viewers, measured (not a timed test).

    python -m bench.workspace_board [--viewers 50] [--rounds 20] [--changes 5] [--poll 0.25]

Runs the real workspace (`python -m campaign_workspace`, its own process) against a stand-in
awards service (a real gRPC server in this process, answering GetStandings with five units and
counting the calls), signs a person in, then:
1. page loads: 1 viewer (baseline) and then --viewers viewers each load /board --rounds times
   back to back: the server's time to answer (its Server-Timing header) and the time the viewers
   saw (which includes this process's own client work on the same CPUs), pages per second, the
   workspace's CPU time per page, and how many GetStandings calls reached the awards service;
2. live updates: --viewers viewers hold /board/events open while the standings change --changes
   times: time from the change to each screen receiving the new table (this includes waiting for
   the watcher's next poll, --poll seconds), the workspace's CPU time per pushed update, and the
   awards calls made for all the viewers together.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import grpc
import httpx

from bench.metrics_throughput import machine
from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from campaign_contracts.campaign_file import load_campaign
from campaign_kit.db import Database
from campaign_workspace.accounts import AccountStore, metadata
from devkit.infra import free_port
from devkit.processes import WorkspaceProcess

PASSWORD = "benchmark-password"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


class StandInAwards(awards_pb2_grpc.AwardsServiceServicer):
    """GetStandings of the seed campaign's five units; `swap()` changes who leads."""

    def __init__(self) -> None:
        self.calls = 0
        self.order = [u.code for u in load_campaign().units]

    def swap(self) -> None:
        self.order = self.order[1:] + self.order[:1]

    async def GetStandings(self, request: Any, context: Any) -> Any:
        self.calls += 1
        reply = awards_pb2.GetStandingsResponse(
            campaign_id="bench", period_key="2024-06-01..2024-12-31", period_kind="campaign",
            subject_kind="unit")
        for rank, code in enumerate(self.order, start=1):
            row = reply.rows.add(rank=rank, unit_code=code, subject_kind="unit",
                                 subject_code=code, total_points=f"{100 - rank * 10}.00",
                                 updated_at="2024-12-31T10:00:00+07:00")
            for indicator, target in (("K1", "0.9000"), ("K2", "0.9000"), ("K3", "0.4500")):
                row.indicators.add(indicator=indicator, numerator=1000 - rank * 100,
                                   denominator=2000, rate=f"{(1000 - rank * 100) / 2000:.4f}",
                                   target=target, points="20.00", counted_unit="hồ sơ")
        return reply


def percentiles(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
            f"max {ordered[-1] * 1000:.1f} ms")


@contextmanager
def workspace(awards_port: int, poll_s: float) -> Iterator[WorkspaceProcess]:
    with tempfile.TemporaryDirectory() as work:
        database = Database(f"sqlite:///{work}/workspace.db", metadata)
        database.create_schema()
        units = {u.code for u in load_campaign().units}
        AccountStore(database).add("vanphong", PASSWORD, "office", None, "Văn phòng Sở", units)
        database.dispose()
        process = WorkspaceProcess({
            "DATA_DIR": work, "IDENTITY_SECRET": "b" * 32, "SESSION_SECRET": "s" * 32,
            "AWARDS_ADDR": f"127.0.0.1:{awards_port}", "BOARD_POLL_S": str(poll_s),
            "LOG_LEVEL": "WARNING",
        }, Path(work) / "workspace.log")
        process.start()
        try:
            process.wait_serving()
            yield process
        finally:
            process.stop()


async def sign_in(base: str) -> httpx.Cookies:
    async with httpx.AsyncClient(base_url=base) as client:
        page = await client.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        reply = await client.post("/sign-in", data={"csrf_token": token.group(1),
                                                    "username": "vanphong",
                                                    "password": PASSWORD})
        assert reply.status_code == 303, reply.text
        return client.cookies


async def page_loads(base: str, cookies: httpx.Cookies, viewers: int, rounds: int,
                     pid: int, awards: StandInAwards) -> str:
    latencies: list[float] = []
    server: list[float] = []

    async def viewer() -> None:
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60) as client:
            for _ in range(rounds):
                started = time.perf_counter()
                reply = await client.get("/board")
                latencies.append(time.perf_counter() - started)
                assert reply.status_code == 200 and "Bảng xếp hạng" in reply.text
                timing = reply.headers["server-timing"].partition("dur=")[2]
                server.append(float(timing) / 1000)

    calls, cpu, started = awards.calls, cpu_seconds(pid), time.perf_counter()
    await asyncio.gather(*(viewer() for _ in range(viewers)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu
    pages = viewers * rounds
    return (f"  {viewers:>3} viewer(s) x {rounds} loads of /board: server time "
            f"{percentiles(server)}; seen by the viewers {percentiles(latencies)}; "
            f"{pages / elapsed:.0f} pages/s; workspace CPU {cpu / pages * 1000:.2f} ms/page; "
            f"awards GetStandings calls: {awards.calls - calls}")


async def live_updates(base: str, cookies: httpx.Cookies, viewers: int, changes: int,
                       pid: int, awards: StandInAwards) -> str:
    received: list[list[float]] = [[] for _ in range(changes)]
    ready = asyncio.Event()
    connected = 0

    async def viewer() -> None:
        nonlocal connected
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=None) as client:
            board = await client.get("/board")
            version = re.search(r'data-version="(\d+)"', board.text)
            assert version is not None
            async with client.stream("GET", f"/board/events?v={version.group(1)}") as stream:
                connected += 1
                if connected == viewers:
                    ready.set()
                seen = 0
                async for line in stream.aiter_lines():
                    if line.startswith("event: standings"):
                        received[seen].append(time.perf_counter())
                        seen += 1
                        if seen == changes:
                            return

    tasks = [asyncio.create_task(viewer()) for _ in range(viewers)]
    await asyncio.wait_for(ready.wait(), 60)
    await asyncio.sleep(0.5)
    delays: list[float] = []
    calls, cpu = awards.calls, cpu_seconds(pid)
    for change in range(changes):
        changed_at = time.perf_counter()
        awards.swap()
        while len(received[change]) < viewers:
            await asyncio.sleep(0.01)
        delays += [moment - changed_at for moment in received[change]]
        await asyncio.sleep(0.3)
    cpu = cpu_seconds(pid) - cpu
    await asyncio.gather(*tasks)
    return (f"  {viewers:>3} viewers on server-sent events, {changes} changes: change -> screen "
            f"{percentiles(delays)}; workspace CPU {cpu / changes * 1000:.1f} ms per change "
            f"(all viewers together, polls included); awards GetStandings calls: "
            f"{awards.calls - calls}")


async def run(args: argparse.Namespace) -> None:
    awards = StandInAwards()
    server = grpc.aio.server()
    awards_pb2_grpc.add_AwardsServiceServicer_to_server(awards, server)  # type: ignore[no-untyped-call]
    port = free_port()
    server.add_insecure_port(f"127.0.0.1:{port}")
    await server.start()
    try:
        with workspace(port, args.poll) as process:
            assert process.process is not None
            pid = process.process.pid
            cookies = await sign_in(process.url)
            print("\n".join(machine()))
            print(f"board page loads (one workspace process, watcher poll {args.poll} s):")
            print(await page_loads(process.url, cookies, 1, args.rounds, pid, awards))
            print(await page_loads(process.url, cookies, args.viewers, args.rounds, pid, awards))
            print("live updates:")
            print(await live_updates(process.url, cookies, 1, args.changes, pid, awards))
            print(await live_updates(process.url, cookies, args.viewers, args.changes, pid,
                                     awards))
    finally:
        await server.stop(1.0)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.workspace_board")
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--poll", type=float, default=0.25)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
