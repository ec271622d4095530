"""K2 — Tỷ lệ hồ sơ xử lý trực tuyến: dossiers received online (KenhThucHien = 2) in the period
over all dossiers received in the period. Units, officers and the Department; counts dossiers."""

from __future__ import annotations

from typing import ClassVar

from campaign_metrics.domain.indicators.base import Indicator, Placement
from campaign_metrics.domain.state import RECEIVED_ONLINE, DossierState


class OnlineDossiers(Indicator):
    kind: ClassVar[str] = "online_dossiers"

    def place(self, state: DossierState) -> Placement:
        if not state.received:
            return None
        assert state.received_on is not None
        return state.received_on, state.channel == RECEIVED_ONLINE


INDICATOR = OnlineDossiers
