"""gRPC API of the awards service (campaign.awards.v1)."""

from __future__ import annotations

from typing import Any

import grpc
from sqlalchemy import select

from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from campaign_awards.store import standing_indicators, standings
from campaign_contracts.campaign_file import Campaign
from campaign_contracts.events import Figure
from campaign_kit.db import Database


class AwardsServicer(awards_pb2_grpc.AwardsServiceServicer):
    def __init__(self, db: Database, campaign: Campaign) -> None:
        self.db = db
        self.campaign = campaign

    async def GetStandings(
        self, request: awards_pb2.GetStandingsRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> awards_pb2.GetStandingsResponse:
        period_key = request.period_key or self.campaign.period.key
        with self.db.begin() as connection:
            rows = connection.execute(
                select(standings).where(standings.c.period_key == period_key)
                .order_by(standings.c.rank)
            ).all()
            cells = connection.execute(
                select(standing_indicators).where(standing_indicators.c.period_key == period_key)
                .order_by(standing_indicators.c.indicator)
            ).all()
        response = awards_pb2.GetStandingsResponse(
            campaign_id=self.campaign.campaign_id, period_key=period_key
        )
        for row in rows:
            unit = self.campaign.unit(row.unit_code)
            standing = response.rows.add(
                rank=row.rank, unit_code=row.unit_code, unit_name=unit.name if unit else "",
                total_points=str(row.total_points), updated_at=row.updated_at.isoformat(),
            )
            for cell in (c for c in cells if c.unit_code == row.unit_code):
                figure = Figure.of(cell.numerator, cell.denominator)
                standing.indicators.add(
                    indicator=cell.indicator, numerator=cell.numerator,
                    denominator=cell.denominator,
                    rate="" if figure.rate is None else str(figure.rate),
                    target=str(cell.target), target_met=cell.target_met, points=str(cell.points),
                )
        return response
