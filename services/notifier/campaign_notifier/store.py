"""The notifier's own tables: the facts its rules read (kept from the event log), the notices
decided, the delivery log with every attempt, the schedule marks, plus positions and outbox."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from campaign_kit.db import outbox_table, positions_table, service_metadata

metadata = service_metadata("campaign_notifier.migrations")
positions = positions_table(metadata)
outbox = outbox_table(metadata)

# --- facts ---------------------------------------------------------------------------------

cells = Table(
    "cells", metadata,
    Column("unit_code", String(100), primary_key=True),
    Column("indicator", String(16), primary_key=True),
    Column("indicator_name", String(300), nullable=False),
    Column("counted_unit", String(50), nullable=False),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("rate", String(12), nullable=True),
    Column("target", String(12), nullable=False),
    Column("met", Boolean, nullable=False),
    # Campaign-clock time the met state last changed: how long a crossing has held.
    Column("state_since", DateTime(timezone=True), nullable=False),
    Column("as_of", DateTime(timezone=True), nullable=True),
)

standings = Table(
    "standings", metadata,
    Column("unit_code", String(100), primary_key=True),
    Column("rank", Integer, nullable=False),
    Column("total_points", String(20), nullable=False),
)

candidates = Table(
    "candidates", metadata,
    Column("candidate_id", String(300), primary_key=True),
    Column("award_type", String(100), nullable=False),
    Column("award_name", String(300), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_code", String(300), nullable=False),
    Column("nominee_name", String(300), nullable=False),
    Column("unit_code", String(100), nullable=False),
    Column("open", Boolean, nullable=False),
)

dossiers = Table(
    "dossiers", metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("unit_code", String(100), nullable=False),
    Column("award_type", String(100), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_code", String(300), nullable=False),
    Column("submitted", Boolean, nullable=False),
)

attachments = Table(
    "attachments", metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("set_number", Integer, primary_key=True),
    Column("document_kind", String(100), primary_key=True),
)

freshness = Table(
    "freshness", metadata,
    Column("kind", String(10), primary_key=True),  # portal or unit
    Column("code", String(200), primary_key=True),
    Column("last_record_at", DateTime(timezone=True), nullable=False),
)

# --- decisions and deliveries --------------------------------------------------------------

notices = Table(
    "notices", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule", String(50), nullable=False),
    Column("unit_code", String(100), nullable=False),
    Column("subject_key", String(300), nullable=False),
    Column("period", String(100), nullable=False),
    Column("template", String(50), nullable=False),
    Column("context", Text, nullable=False),  # JSON: the facts the message was written from
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A notice is decided once: an event redelivered or a slot evaluated again adds nothing.
    UniqueConstraint("rule", "unit_code", "subject_key", "period", name="uq_notice_once"),
)

deliveries = Table(
    "deliveries", metadata,
    Column("delivery_id", String(36), primary_key=True),
    # sha256 of rule, recipient, subject and period: the Message-ID and webhook header.
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("notice_id", Integer, nullable=False),
    Column("cause_event_id", String(36), nullable=False),
    Column("correlation_id", String(36), nullable=False),
    Column("rule", String(50), nullable=False, index=True),
    Column("audience", String(20), nullable=False),
    Column("unit_code", String(100), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("recipient", String(500), nullable=False),
    Column("recipient_name", String(300), nullable=False),
    Column("language", String(5), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("text", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("payload", Text, nullable=False),  # webhook JSON body
    Column("status", String(20), nullable=False, index=True),  # pending, sent, dead
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

attempts = Table(
    "delivery_attempts", metadata,
    Column("delivery_id", String(36), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("started_at", DateTime(timezone=True), nullable=False),
    # No finish: the process stopped mid-attempt (the resend carries the same Message-ID).
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("outcome", String(20), nullable=True),  # accepted or failed
    Column("error", Text, nullable=True),
)

schedule_marks = Table(
    "schedule_marks", metadata,
    Column("rule", String(50), primary_key=True),
    Column("last_slot", DateTime(timezone=True), nullable=False),
)

clock_anchor = Table(
    "clock_anchor", metadata,
    Column("name", String(20), primary_key=True),
    Column("wall", DateTime(timezone=True), nullable=False),
    Column("campaign", DateTime(timezone=True), nullable=False),
)
