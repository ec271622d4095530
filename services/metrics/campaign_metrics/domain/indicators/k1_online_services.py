"""K1 — Tỷ lệ DVC phát sinh hồ sơ trực tuyến (Decision 766/QĐ-TTg).

Numerator: the subject's online public services (catalogue: toàn trình or một phần) with at
least one dossier received online (KenhThucHien = 2) in the period. Denominator: the subject's
online services. A unit's are its own catalogue rows; the Department's are the distinct MaTTHC
of the participating units. Officers offer no services, so they have no K1. Counts services.
"""

from __future__ import annotations

from typing import ClassVar

from campaign_metrics.domain.indicators.base import DEPARTMENT, UNIT, Indicator, Placement
from campaign_metrics.domain.state import RECEIVED_ONLINE, DossierState


class OnlineServices(Indicator):
    kind: ClassVar[str] = "online_services"
    counted_unit: ClassVar[str] = "dịch vụ"
    subject_kinds: ClassVar[frozenset[str]] = frozenset({UNIT, DEPARTMENT})
    counts_services: ClassVar[bool] = True

    def place(self, state: DossierState) -> Placement:
        """A dossier received online is a use of its procedure on its reception day."""
        if not state.received or state.channel != RECEIVED_ONLINE:
            return None
        assert state.received_on is not None
        return state.received_on, True

    def services(self, subject_kind: str, subject_code: str) -> frozenset[str]:
        if subject_kind == UNIT:
            return self.catalogue.online_services(subject_code)
        if subject_kind == DEPARTMENT:
            return frozenset().union(*(self.catalogue.online_services(u)
                                       for u in self.participants))
        return frozenset()


INDICATOR = OnlineServices
