"""Tỷ lệ hồ sơ giải quyết đúng hạn (the national index's on-time rate; optional, domain.md):
processed dossiers (TrangThaiHoSo 9 or 10) whose NgayKetThucXuLy is not after NgayHenTra, over
processed dossiers with both times set. A dossier belongs to the period of its NgayKetThucXuLy
(local day), not of its reception. Units, officers and the Department; counts dossiers."""

from __future__ import annotations

from typing import ClassVar

from campaign_metrics.domain.indicators.base import Indicator, Placement
from campaign_metrics.domain.state import PROCESSED, DossierState


class OnTime(Indicator):
    kind: ClassVar[str] = "on_time"
    period_field: ClassVar[str] = "finished_on"

    def place(self, state: DossierState) -> Placement:
        if (state.status not in PROCESSED or state.finished_on is None
                or state.finished_in_time is None):
            return None
        return state.finished_on, state.finished_in_time


INDICATOR = OnTime
