"""Forecasts from the awards service (GetForecast), for digests and at-risk alerts. Any answer
but a forecast — UNIMPLEMENTED while the awards service does not offer it yet, unavailable,
too slow — is "no forecast", which the message says, rather than a failed digest."""

from __future__ import annotations

import logging
from decimal import Decimal

import grpc

from campaign.awards.v1 import awards_pb2, awards_pb2_grpc
from campaign_notifier.domain.model import Forecast

log = logging.getLogger(__name__)


class AwardsForecasts:
    def __init__(self, target: str, token: str, timeout_s: float = 5.0) -> None:
        self.target = target
        self.metadata = (("authorization", f"Bearer {token}"),) if token else ()
        self.timeout_s = timeout_s

    async def __call__(self, unit_code: str) -> list[Forecast] | None:
        try:
            async with grpc.aio.insecure_channel(self.target) as channel:
                stub = awards_pb2_grpc.AwardsServiceStub(channel)  # type: ignore[no-untyped-call]
                reply = await stub.GetForecast(
                    awards_pb2.GetForecastRequest(subject_kind="unit", subject_code=unit_code),
                    metadata=self.metadata, timeout=self.timeout_s)
        except grpc.aio.AioRpcError as exc:
            log.info("no forecast", extra={"unit_code": unit_code, "code": exc.code().name})
            return None
        return [
            Forecast(f.indicator, Decimal(f.expected_rate) if f.expected_rate else None,
                     f.will_meet, int(f.gap), f.gap_text)
            for f in reply.indicators
        ]
