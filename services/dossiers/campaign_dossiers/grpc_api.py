"""gRPC API of the dossiers service (campaign.dossiers.v1)."""

from __future__ import annotations

from typing import Any

import grpc
from sqlalchemy import select

from campaign.dossiers.v1 import dossiers_pb2, dossiers_pb2_grpc
from campaign_contracts.events import Figure, SubjectKind
from campaign_kit.db import Database, as_utc
from campaign_dossiers.store import nominee_figures


class DossiersServicer(dossiers_pb2_grpc.DossiersServiceServicer):
    def __init__(self, db: Database) -> None:
        self.db = db

    async def GetNomineeFigures(
        self, request: dossiers_pb2.GetNomineeFiguresRequest, context: grpc.aio.ServicerContext[Any, Any]
    ) -> dossiers_pb2.GetNomineeFiguresResponse:
        if request.subject_kind not in (SubjectKind.UNIT.value, SubjectKind.OFFICER.value):
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                                "subject_kind must be 'unit' or 'officer'")
        if not request.subject_code:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, "subject_code is required")
        c = nominee_figures.c
        with self.db.begin() as connection:
            rows = connection.execute(
                select(nominee_figures).where(
                    c.subject_kind == request.subject_kind, c.subject_code == request.subject_code
                ).order_by(c.indicator)
            ).all()
        figures = []
        for row in rows:
            figure = Figure.of(row.numerator, row.denominator)
            figures.append(dossiers_pb2.NomineeFigure(
                indicator=row.indicator, numerator=row.numerator, denominator=row.denominator,
                rate="" if figure.rate is None else str(figure.rate), target=str(row.target),
                target_met=row.target_met, as_of=as_utc(row.as_of).isoformat(),
            ))
        return dossiers_pb2.GetNomineeFiguresResponse(figures=figures)
