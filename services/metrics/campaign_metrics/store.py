"""The metrics service's own tables: the latest snapshot of each dossier (with the record that
put it there), the indicator cells, and the shared positions and outbox tables."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from campaign_kit.db import outbox_table, positions_table

metadata = MetaData()
positions = positions_table(metadata)
outbox = outbox_table(metadata)

dossiers = Table(
    "dossiers",
    metadata,
    Column("dossier_code", String(100), primary_key=True),  # MaHoSo
    Column("unit_code", String(100), nullable=False),
    Column("procedure_code", String(100), nullable=False),
    Column("channel", Integer, nullable=False),
    Column("status", Integer, nullable=False),
    Column("received", Boolean, nullable=False),
    Column("received_on", Date, nullable=True),  # local calendar day of NgayTiepNhan
    Column("online_payment", Integer, nullable=False),
    Column("fee_exempt", Boolean, nullable=False),
    Column("fee_bearing", Boolean, nullable=False),  # catalogue says fees and not exempt
    Column("receiving_officer", String(200), nullable=True),
    Column("known_to_catalogue", Boolean, nullable=False),
    # The record that placed the dossier here: every figure traces back to it.
    Column("source_topic", String(200), nullable=False),
    Column("source_partition", Integer, nullable=False),
    Column("source_offset", BigInteger, nullable=False),
    Column("record_at", DateTime(timezone=True), nullable=False),
    Index("ix_dossiers_unit_day", "unit_code", "received_on"),
)

indicator_cells = Table(
    "indicator_cells",
    metadata,
    Column("indicator", String(4), primary_key=True),
    Column("subject_kind", String(20), primary_key=True),
    Column("subject_code", String(200), primary_key=True),
    Column("period_kind", String(20), primary_key=True),
    Column("period_key", String(40), primary_key=True),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("campaign_version", String(40), nullable=False),
    Column("catalogue_version", String(40), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
)
