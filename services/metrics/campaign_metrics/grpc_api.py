"""gRPC API of the metrics service (campaign.metrics.v1)."""

from __future__ import annotations

from typing import Any

import grpc
from sqlalchemy import select

from campaign.metrics.v1 import metrics_pb2, metrics_pb2_grpc
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import Figure, IndicatorCode, PeriodKind, SubjectKind
from campaign_kit.db import Database
from campaign_metrics.store import indicator_cells


def _rate(figure: Figure) -> str:
    return "" if figure.rate is None else str(figure.rate)


class MetricsServicer(metrics_pb2_grpc.MetricsServiceServicer):
    def __init__(self, db: Database, campaign: Campaign) -> None:
        self.db = db
        self.campaign = campaign

    async def GetIndicators(
        self, request: metrics_pb2.GetIndicatorsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> metrics_pb2.GetIndicatorsResponse:
        try:
            kind = SubjectKind(request.subject_kind or "unit")
            period_kind = PeriodKind(request.period_kind or "campaign")
        except ValueError as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        if not request.subject_code and kind is not SubjectKind.DEPARTMENT:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "subject_code is required")
        code = request.subject_code or self.campaign.department_code
        if kind is SubjectKind.UNIT and self.campaign.unit(code) is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"unknown unit {code!r}")
        period_key = request.period_key or self.campaign.period.key
        c = indicator_cells.c
        with self.db.begin() as connection:
            rows = connection.execute(
                select(indicator_cells).where(
                    c.subject_kind == kind.value, c.subject_code == code,
                    c.period_kind == period_kind.value, c.period_key == period_key,
                ).order_by(c.indicator)
            ).all()
        values = []
        for row in rows:
            figure = Figure.of(row.numerator, row.denominator)
            target = self.campaign.indicator(IndicatorCode(row.indicator)).target
            values.append(metrics_pb2.IndicatorValue(
                indicator=row.indicator, subject_kind=row.subject_kind,
                subject_code=row.subject_code, period_kind=row.period_kind,
                period_key=row.period_key, numerator=row.numerator,
                denominator=row.denominator, rate=_rate(figure), target=str(target),
                target_met=figure.meets(target), campaign_version=row.campaign_version,
                catalogue_version=row.catalogue_version, as_of=row.as_of.isoformat(),
            ))
        return metrics_pb2.GetIndicatorsResponse(values=values)
