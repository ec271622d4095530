"""Indicator cells computed from the dossier snapshots (Decision 766/QĐ-TTg formulas).

K3 — Tỷ lệ thanh toán trực tuyến: of the fee-bearing dossiers received in the period, those
paid online by a counted method. A dossier counts as received when NgayTiepNhan is set and its
status is neither 1 (registered) nor 3 (not accepted); it belongs to the period of its local
reception day, both ends inclusive.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, case, func, select

from campaign_contracts.campaign_file import Campaign, Period
from campaign_contracts.events import Figure, IndicatorCode, PeriodKind, SubjectKind
from campaign_metrics.store import dossiers


@dataclass(frozen=True)
class Cell:
    """The coordinates of one indicator figure."""

    indicator: IndicatorCode
    subject_kind: SubjectKind
    subject_code: str
    period_kind: PeriodKind
    period_key: str


def k3_figure(
    connection: Connection, campaign: Campaign, subject_kind: SubjectKind, subject_code: str,
    period: Period,
) -> Figure:
    counted = sorted(campaign.indicator(IndicatorCode.K3).counted_payment_methods)
    d = dossiers.c
    conditions = [
        d.received.is_(True),
        d.fee_bearing.is_(True),
        d.received_on >= period.start,
        d.received_on <= period.end,
    ]
    if subject_kind is SubjectKind.UNIT:
        conditions.append(d.unit_code == subject_code)
    elif subject_kind is SubjectKind.OFFICER:
        conditions.append(d.receiving_officer == subject_code)
    paid = func.coalesce(func.sum(case((d.online_payment.in_(counted), 1), else_=0)), 0)
    row = connection.execute(select(paid, func.count()).where(and_(*conditions))).one()
    return Figure.of(int(row[0]), int(row[1]))
