"""K3 — Tỷ lệ thanh toán trực tuyến trên Cổng DVCQG: fee-bearing dossiers received in the period
paid by a counted method (DuocThanhToanTrucTuyen in `counted_payment_methods`, default {1, 2} as
the national index counts; a campaign may narrow it to {1}) over fee-bearing dossiers received.

Fee-bearing: the catalogue gives the procedure (MaTTHC, whichever unit) fees, unless the
dossier's DanhSachLePhi is non-empty and every Gia is 0 (exempt: out of the denominator)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from campaign_contracts.campaign_file import IndicatorRule
from campaign_metrics.domain.catalogue import Catalogue
from campaign_metrics.domain.indicators.base import Indicator, Placement
from campaign_metrics.domain.state import DossierState


class PaymentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    counted_payment_methods: frozenset[int] = Field(
        default=frozenset({1, 2}),
        description="DuocThanhToanTrucTuyen values that count as paid online: 1 DVCQG payment "
        "platform, 2 the province's own gateway")


class OnlinePayment(Indicator):
    kind: ClassVar[str] = "online_payment"
    Settings: ClassVar[type[BaseModel]] = PaymentSettings

    def __init__(self, rule: IndicatorRule, catalogue: Catalogue, settings: BaseModel,
                 participants: frozenset[str]) -> None:
        super().__init__(rule, catalogue, settings, participants)
        assert isinstance(settings, PaymentSettings)
        self.counted = settings.counted_payment_methods
        self.fee_procedures = catalogue.fee_procedures

    def place(self, state: DossierState) -> Placement:
        if (not state.received or state.fee_exempt
                or state.procedure_code not in self.fee_procedures):
            return None
        assert state.received_on is not None
        return state.received_on, state.online_payment in self.counted

    def describe_settings(self) -> dict[str, Any]:
        return {"counted_payment_methods": sorted(self.counted)}


INDICATOR = OnlinePayment
