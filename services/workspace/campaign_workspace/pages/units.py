"""A unit's page (trang của đơn vị): its indicators against targets, the trend of each indicator
and of its rank, the forecast to the campaign's end with the gap, the dossiers behind a figure,
the notifications it was sent, and its officers' figures."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from campaign.awards.v1 import awards_pb2
from campaign.metrics.v1 import metrics_pb2
from campaign.notifier.v1 import notifier_pb2
from campaign_workspace.charts import Series, line_chart
from campaign_workspace.exports import csv_bytes
from campaign_workspace.formatting import percent
from campaign_workspace.views import Column, Row, board_view, decimal_or_none
from campaign_workspace.web import (
    Refused,
    caller_of,
    optional,
    page,
    session_of,
    signed_in,
    workspace_of,
)

CELL_PAGE_SIZE = 50


def _unit_code(request: Request) -> str:
    """The unit of the URL, once the person may see it: a unit sees only its own page."""
    code = str(request.path_params["code"])
    session = session_of(request)
    if session.role == "unit" and session.unit_code != code:
        raise Refused(403, f"Tài khoản của đơn vị {session.unit_code} chỉ xem được số liệu của "
                      "đơn vị mình.")
    if workspace_of(request).campaign.unit(code) is None:
        raise Refused(404, f"Không có đơn vị {code} trong đợt thi đua.")
    return code


@dataclass(frozen=True)
class Trend:
    title: str
    svg: str


def trends_of(history: Any, columns: list[Column]) -> list[Trend]:
    days = [p.day for p in history.points]
    trends = []
    for column in columns:
        values = []
        for point in history.points:
            cell = next((c for c in point.indicators if c.indicator == column.code), None)
            values.append(decimal_or_none(cell.rate) if cell else None)
        trends.append(Trend(f"{column.code} — {column.name}", line_chart(
            Series(column.name, days, values), target=decimal_or_none(column.target))))
    ranks = [Decimal(p.rank) if p.rank else None for p in history.points]
    trends.append(Trend("Thứ hạng theo ngày", line_chart(
        Series("Thứ hạng", days, ranks), rate=False, invert=True)))
    return trends


@signed_in()
async def unit_page(request: Request) -> Response:
    workspace = workspace_of(request)
    code = _unit_code(request)
    caller = caller_of(request)
    call = workspace.services.call
    results = await asyncio.gather(
        optional(call(caller, "awards", "GetStandings", awards_pb2.GetStandingsRequest())),
        optional(call(caller, "awards", "GetHistory",
                      awards_pb2.GetHistoryRequest(subject_kind="unit", subject_code=code))),
        optional(call(caller, "awards", "GetForecast",
                      awards_pb2.GetForecastRequest(subject_kind="unit", subject_code=code))),
        optional(call(caller, "notifier", "ListDeliveries",
                      notifier_pb2.ListDeliveriesRequest(unit_code=code, page_size=50))),
        optional(call(caller, "awards", "GetStandings",
                      awards_pb2.GetStandingsRequest(subject_kind="officer"))),
    )
    (standings, standings_note), (history, history_note), (forecast, forecast_note), \
        (deliveries, deliveries_note), (officers, officers_note) = results
    view = board_view(standings, workspace.campaign) if standings else None
    row: Row | None = next((r for r in view.rows if r.code == code), None) if view else None
    columns = view.columns if view else []
    # A service that does not rank officers yet answers with units: show none then.
    officer_view = board_view(officers, workspace.campaign, "officer") if officers else None
    if officers is not None and officers.subject_kind != "officer":
        officers_note = "Dịch vụ xếp hạng chưa có bảng xếp hạng cá nhân."
    officer_rows = [r for r in officer_view.rows if r.unit_code == code] if officer_view else []
    trends = trends_of(history, columns) if history and history.points else []
    if history is not None and not history.points:
        history_note = "Chưa có dữ liệu theo ngày."
    sent = list(deliveries.deliveries)[-50:][::-1] if deliveries else []
    return page(request, "unit.html", unit=workspace.campaign.unit(code), row=row,
                columns=columns, standings_note=standings_note, trends=trends,
                history_note=history_note, forecast=forecast, forecast_note=forecast_note,
                deliveries=sent, deliveries_note=deliveries_note,
                officer_rows=officer_rows, officer_columns=officer_view.columns
                if officer_view else [], officers_note=officers_note,
                period_key=view.period_key if view else "")


@signed_in()
async def unit_csv(request: Request) -> Response:
    """The unit's figures over the campaign period and its officers', as CSV with BOM."""
    workspace = workspace_of(request)
    code = _unit_code(request)
    caller = caller_of(request)
    standings = await workspace.services.call(caller, "awards", "GetStandings",
                                              awards_pb2.GetStandingsRequest())
    officers, _ = await optional(workspace.services.call(
        caller, "awards", "GetStandings", awards_pb2.GetStandingsRequest(subject_kind="officer")))
    rows: list[list[object]] = []
    subjects = [r for r in board_view(standings, workspace.campaign).rows if r.code == code]
    if officers is not None:
        subjects += [r for r in board_view(officers, workspace.campaign, "officer").rows
                     if r.unit_code == code]
    for subject in subjects:
        for cell in subject.cells.values():
            rows.append([subject.code, subject.name, subject.rank, subject.points, cell.code,
                         cell.numerator, cell.denominator, cell.counted_unit,
                         percent(cell.rate), percent(cell.target, 0),
                         "đạt" if cell.target_met else "chưa đạt", cell.points])
    header = ["Mã", "Tên", "Hạng", "Tổng điểm", "Chỉ số", "Tử số", "Mẫu số", "Đơn vị đếm",
              "Tỷ lệ", "Chỉ tiêu", "Kết quả", "Điểm"]
    return Response(csv_bytes(header, rows), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="so-lieu-{code}.csv"'})


def period_kind_of(period_key: str) -> str:
    if ".." in period_key or not period_key:
        return "campaign"
    return "week" if "-W" in period_key else "month"


@signed_in()
async def cell_dossiers(request: Request) -> Response:
    """The dossiers behind one figure, with the record that placed each (truy vết)."""
    workspace = workspace_of(request)
    code = _unit_code(request)
    params = request.query_params
    indicator = params.get("indicator", "")
    part = params.get("part", "denominator")
    if part not in ("numerator", "denominator"):
        raise Refused(400, "Phần của chỉ số phải là tử số hoặc mẫu số.")
    subject_kind = params.get("kind", "unit")
    subject_code = params.get("subject", code) if subject_kind == "officer" else code
    if subject_kind == "officer" and not subject_code.startswith(f"{code}/"):
        raise Refused(403, "Cán bộ này không thuộc đơn vị.")
    period_key = params.get("period", "")
    reply, note = await optional(workspace.services.call(
        caller_of(request), "metrics", "ListCellDossiers", metrics_pb2.ListCellDossiersRequest(
            indicator=indicator, subject_kind=subject_kind, subject_code=subject_code,
            period_kind=period_kind_of(period_key), period_key=period_key, part=part,
            page_size=CELL_PAGE_SIZE, page_token=params.get("page", ""))))
    rule = next((r for r in workspace.campaign.indicators if r.code == indicator), None)
    return page(request, "cells.html", unit=workspace.campaign.unit(code), indicator=indicator,
                indicator_name=rule.name if rule else indicator, part=part, reply=reply,
                note=note, subject_kind=subject_kind, subject_code=subject_code,
                period_key=period_key)
