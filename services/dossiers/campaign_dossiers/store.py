"""The dossiers service's own tables: nominees' measured figures (from indicator events), plus
the shared positions and outbox tables."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Numeric, String, Table

from campaign_kit.db import outbox_table, positions_table

metadata = MetaData()
positions = positions_table(metadata)
outbox = outbox_table(metadata)

nominee_figures = Table(
    "nominee_figures",
    metadata,
    Column("subject_kind", String(20), primary_key=True),  # unit or officer
    Column("subject_code", String(200), primary_key=True),
    Column("indicator", String(4), primary_key=True),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("target", Numeric(6, 4), nullable=False),
    Column("target_met", Boolean, nullable=False),
    Column("campaign_version", String(40), nullable=False),
    Column("catalogue_version", String(40), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=False),
    Column("source_event_id", String(36), nullable=False),
)
