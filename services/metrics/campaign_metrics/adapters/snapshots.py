"""The dossier snapshots as stored, read back as the indicators read them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from sqlalchemy import Connection, String, select, text

from campaign_metrics.adapters.tables import dossiers
from campaign_metrics.domain.state import DossierState

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


_CODES_OF = {
    # A batch's codes as one JSON parameter: one statement, parsed once, whatever their number
    # (an IN list of 900 parameters cost PostgreSQL's driver a new query text per batch).
    "sqlite": "SELECT value FROM json_each(:codes)",
    "postgresql": "SELECT json_array_elements_text(CAST(:codes AS json)) AS value",
}
_json_codes = msgspec.json.Encoder().encode


def load_states(connection: Connection, codes: Sequence[str]) -> dict[str, DossierState]:
    """The stored states of these dossiers (those stored)."""
    if not codes:
        return {}
    d = dossiers.c
    columns = (d.dossier_code, *(d[name] for name in STATE_COLUMNS))
    listed = text(_CODES_OF[connection.dialect.name]).columns(value=String)
    query = select(*columns).where(d.dossier_code.in_(select(listed.subquery().c.value)))
    rows = connection.execute(query, {"codes": _json_codes(list(codes)).decode("utf-8")})
    return {row.dossier_code: state_of_row(row) for row in rows}
