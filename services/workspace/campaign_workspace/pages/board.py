"""The standings board for the Office's big screen (bảng xếp hạng): a period switch, an "as of"
date, and a table that changes by itself when the standings do (server-sent events fed by the
one board watcher)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from campaign.awards.v1 import awards_pb2
from campaign_kit.identity import Caller
from campaign_workspace.board import BoardKey
from campaign_workspace.exports import csv_bytes, with_bom
from campaign_workspace.formatting import moment, parse_day, percent
from campaign_workspace.views import (
    BoardView,
    PeriodChoice,
    board_view,
    end_of_day,
    periods_from_campaign,
    periods_from_service,
)
from campaign_workspace.web import (
    TEMPLATES,
    Refused,
    Workspace,
    caller_of,
    optional,
    page,
    signed_in,
    workspace_of,
)

# The watcher reads standings for every screen at once, as the Office would.
BOARD_READER = Caller("office", None, "workspace-board")
SUBJECT_KINDS = {"unit": "Tập thể (đơn vị)", "officer": "Cá nhân (cán bộ Một cửa)"}


def key_of(request: Request) -> BoardKey:
    kind = request.query_params.get("kind", "unit")
    if kind not in SUBJECT_KINDS:
        raise Refused(400, "Loại bảng xếp hạng không hợp lệ.")
    return BoardKey(request.query_params.get("period", ""), kind)


def as_of_of(request: Request, workspace: Workspace) -> str:
    text = request.query_params.get("as_of", "")
    if not text:
        return ""
    try:
        return end_of_day(parse_day(text), workspace.campaign)
    except ValueError:
        raise Refused(400, "Ngày xem bảng xếp hạng không hợp lệ (dd/mm/yyyy).") from None


PERIODS_TTL_S = 300.0


async def periods_of(workspace: Workspace) -> list[PeriodChoice]:
    """The periods to switch between: they change once a week at most, so the awards service
    is asked every few minutes, not on every screen's load."""
    cached = workspace.periods_cache
    if cached is not None and time.monotonic() - cached[0] < PERIODS_TTL_S:
        return cached[1]
    reply, _ = await optional(workspace.services.call(
        BOARD_READER, "awards", "ListPeriods", awards_pb2.ListPeriodsRequest()))
    periods = (periods_from_service(reply) if reply and reply.periods
               else periods_from_campaign(workspace.campaign))
    workspace.periods_cache = (time.monotonic(), periods)
    return periods


def standings_request(key: BoardKey, as_of: str = "") -> Any:
    return awards_pb2.GetStandingsRequest(period_key=key.period_key,
                                          subject_kind=key.subject_kind, as_of=as_of)


def render_table(workspace: Workspace, view: BoardView) -> str:
    return TEMPLATES.get_template("_board_table.html").render(view=view,
                                                              campaign=workspace.campaign)


@signed_in()
async def board(request: Request) -> Response:
    workspace = workspace_of(request)
    key = key_of(request)
    as_of = as_of_of(request, workspace)
    periods = await periods_of(workspace)
    if as_of:  # a past moment is not live: asked once, as the person who asked
        standings = await workspace.services.call(
            caller_of(request), "awards", "GetStandings", standings_request(key, as_of))
        view, version, table = (board_view(standings, workspace.campaign, key.subject_kind),
                                0, None)
    else:
        snapshot = await workspace.board.current(key)
        view, version, table = (board_view(snapshot.standings, workspace.campaign,
                                           key.subject_kind),
                                snapshot.version, snapshot.html)
    if table is None:
        table = render_table(workspace, view)
    period_key = key.period_key or view.period_key
    return page(request, "board.html", view=view, table=table, version=version, key=key,
                period_key=period_key, periods=periods, kinds=SUBJECT_KINDS,
                as_of=request.query_params.get("as_of", ""), as_of_day=as_of[:10],
                live=not as_of, kiosk=request.query_params.get("screen") == "1")


@signed_in()
async def board_events(request: Request) -> Response:
    """Server-sent events: the table's HTML each time the standings change."""
    workspace = workspace_of(request)
    key = key_of(request)
    try:
        seen = int(request.query_params.get("v", "0"))
    except ValueError:
        seen = 0
    await workspace.board.current(key)  # makes sure the watcher knows this board

    async def events() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        async for snapshot in workspace.board.changes(key, seen):
            if snapshot is None:
                yield ": keepalive\n\n"
                continue
            view = board_view(snapshot.standings, workspace.campaign, key.subject_kind)
            data = json.dumps({"html": snapshot.html, "version": snapshot.version,
                               "updated": moment(view.updated_at) if view.updated_at else ""},
                              ensure_ascii=False)
            yield f"event: standings\nid: {snapshot.version}\ndata: {data}\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@signed_in()
async def board_csv(request: Request) -> Response:
    """The standings as CSV (UTF-8 with BOM): the awards service's export where it has one."""
    workspace = workspace_of(request)
    key = key_of(request)
    as_of = as_of_of(request, workspace)
    caller = caller_of(request)
    reply, _ = await optional(workspace.services.call(
        caller, "awards", "ExportStandings", awards_pb2.ExportStandingsRequest(
            period_key=key.period_key, subject_kind=key.subject_kind, as_of=as_of)))
    if reply is not None:
        data, filename = with_bom(reply.csv), reply.filename or "bang-xep-hang.csv"
    else:
        standings = await workspace.services.call(
            caller, "awards", "GetStandings", standings_request(key, as_of))
        view = board_view(standings, workspace.campaign, key.subject_kind)
        data, filename = standings_csv(view), "bang-xep-hang.csv"
    return Response(data, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


def standings_csv(view: BoardView) -> bytes:
    header = ["Hạng", "Đồng hạng", "Mã", "Tên", "Tổng điểm"]
    for column in view.columns:
        header += [f"{column.code} tử số", f"{column.code} mẫu số", f"{column.code} tỷ lệ",
                   f"{column.code} chỉ tiêu", f"{column.code} điểm"]
    rows = []
    for row in view.rows:
        line: list[object] = [row.rank, "có" if row.shared else "", row.code, row.name,
                              row.points]
        for column in view.columns:
            cell = row.cells.get(column.code)
            line += ([cell.numerator, cell.denominator, percent(cell.rate),
                      percent(cell.target, 0), cell.points] if cell else ["", "", "", "", ""])
        rows.append(line)
    return csv_bytes(header, rows)
