"""The dossier snapshots as stored, read back as the indicators read them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import Connection

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


_COLUMNS = ", ".join(("dossier_code", *STATE_COLUMNS))
_BY_CODES = {
    # A batch's codes as one JSON parameter: one statement, parsed once, whatever their number
    # (an IN list of 900 parameters cost PostgreSQL's driver a new query text per batch).
    "sqlite": f"SELECT {_COLUMNS} FROM dossiers WHERE dossier_code IN "
              "(SELECT value FROM json_each(?))",
    "postgresql": f"SELECT {_COLUMNS} FROM dossiers WHERE dossier_code IN "
                  "(SELECT json_array_elements_text(%s::json))",
}
_json_codes = msgspec.json.Encoder().encode
_DAYS: dict[Any, date | None] = {None: None}


def _day(stored: Any) -> date | None:
    """A stored day as a date: SQLite's driver hands back its ISO text, PostgreSQL's a date."""
    day = _DAYS.get(stored)
    if day is None and stored is not None:
        if len(_DAYS) > 10_000:
            _DAYS.clear()
            _DAYS[None] = None
        day = _DAYS[stored] = stored if isinstance(stored, date) else date.fromisoformat(stored)
    return day


def load_states(connection: Connection, codes: Sequence[str]) -> dict[str, DossierState]:
    """The stored states of these dossiers (those stored). Straight through the driver: for a
    third of a batch's records, SQLAlchemy's rows and its SQLite date parsing cost more than
    the query."""
    if not codes:
        return {}
    rows = connection.exec_driver_sql(_BY_CODES[connection.dialect.name],
                                      (_json_codes(list(codes)).decode("utf-8"),))
    return {
        code: DossierState(unit, procedure, channel, status, _day(received), payment,
                           bool(exempt), officer, _day(finished),
                           None if in_time is None else bool(in_time))
        for (code, unit, procedure, channel, status, received, payment, exempt, officer,
             finished, in_time) in rows
    }
