"""The awards service's own tables: each unit's indicator standings and its ranked standing."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, MetaData, Numeric, String, Table

from campaign_kit.db import outbox_table, positions_table

metadata = MetaData()
positions = positions_table(metadata)
outbox = outbox_table(metadata)

standing_indicators = Table(
    "standing_indicators",
    metadata,
    Column("period_key", String(40), primary_key=True),
    Column("unit_code", String(100), primary_key=True),
    Column("indicator", String(4), primary_key=True),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("target", Numeric(6, 4), nullable=False),
    Column("target_met", Boolean, nullable=False),
    Column("points", Numeric(8, 2), nullable=False),
    Column("source_event_id", String(36), nullable=False),  # the IndicatorUpdated behind it
)

standings = Table(
    "standings",
    metadata,
    Column("period_key", String(40), primary_key=True),
    Column("unit_code", String(100), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("total_points", Numeric(8, 2), nullable=False),
    Column("targets_met", String(40), nullable=False),  # e.g. "K1,K3"
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
