"""The notifier's own tables: the delivery log, plus the shared positions and outbox."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, UniqueConstraint

from campaign_kit.db import outbox_table, positions_table

metadata = MetaData()
positions = positions_table(metadata)
outbox = outbox_table(metadata)

# A unit hears that it reached a target once per indicator and period: a rate hovering around
# its target during a burst of records must not send a note at every crossing.
milestones = Table(
    "milestones",
    metadata,
    Column("rule", String(50), primary_key=True),
    Column("unit_code", String(100), primary_key=True),
    Column("indicator", String(4), primary_key=True),
    Column("period_key", String(40), primary_key=True),
    Column("cause_event_id", String(36), nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column("cause_event_id", String(36), nullable=False),
    Column("correlation_id", String(36), nullable=False),
    Column("rule", String(50), nullable=False),
    Column("unit_code", String(100), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False, index=True),  # pending, sent, failed
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # One event never notifies the same recipient twice under the same rule.
    UniqueConstraint("cause_event_id", "rule", "recipient", name="uq_delivery_once"),
)
