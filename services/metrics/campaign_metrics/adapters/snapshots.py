"""The dossier snapshots as stored, read back as the indicators read them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from campaign_metrics.adapters.tables import dossiers
from campaign_metrics.domain.state import DossierState

_LOOKUP_CHUNK = 900  # snapshot codes per SELECT, under SQLite's bound-parameter limits


STATE_COLUMNS: tuple[str, ...] = ("unit_code", "procedure_code", "channel", "status", "received_on",
                 "online_payment", "fee_exempt", "receiving_officer", "finished_on",
                 "finished_in_time")


def state_of_row(row: Any) -> DossierState:
    in_time = row.finished_in_time
    return DossierState(
        unit_code=row.unit_code, procedure_code=row.procedure_code, channel=row.channel,
        status=row.status, received_on=row.received_on, online_payment=row.online_payment,
        fee_exempt=bool(row.fee_exempt), officer=row.receiving_officer,
        finished_on=row.finished_on, finished_in_time=None if in_time is None else bool(in_time),
    )


def load_states(connection: Connection, codes: Sequence[str]) -> dict[str, DossierState]:
    d = dossiers.c
    columns = (d.dossier_code, *(d[name] for name in STATE_COLUMNS))
    states: dict[str, DossierState] = {}
    for start in range(0, len(codes), _LOOKUP_CHUNK):
        chunk = codes[start:start + _LOOKUP_CHUNK]
        for row in connection.execute(select(*columns).where(d.dossier_code.in_(chunk))):
            states[row.dossier_code] = state_of_row(row)
    return states
