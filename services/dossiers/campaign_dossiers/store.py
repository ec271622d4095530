"""The dossiers service's own tables.

Write side: `dossier_events` (each dossier's events in sequence: the event store the commands
decide on, with optimistic concurrency on (dossier id, sequence)) and `nominations` (one
dossier per nominee and award). Read side, projected from the dossiers topic: `dossiers` and
`dossier_documents`. Also nominees' figures (from indicator events) and the shared positions
and outbox tables. Every table but the figures can be rebuilt from the dossiers topic alone.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
)

from campaign_kit.db import outbox_table, positions_table, service_metadata

metadata = service_metadata("campaign_dossiers.migrations")
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

# --- the awards service's facts, followed for the documents (candidates, decisions) ---------

candidates = Table(
    "candidates",
    metadata,
    Column("candidate_id", String(300), primary_key=True),
    Column("award_type", String(100), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_code", String(200), nullable=False),  # unit code or officer key
    Column("nominee_name", Text, nullable=False),
    Column("unit_code", String(100), nullable=False),
    Column("proposed", Boolean, nullable=False),  # False once withdrawn
    Column("reason", Text, nullable=True),        # why it was withdrawn
    Column("evidence", Text, nullable=False),     # CandidateEvidence JSON, frozen
    Column("source_event_id", String(36), nullable=False),
)

award_decisions = Table(
    "award_decisions",
    metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("decision_number", String(100), nullable=False, index=True),
    Column("payload", Text, nullable=False),  # the AwardDecided event's JSON
    Column("dossier_id", String(36), nullable=True, index=True),
    Column("award_type", String(100), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_code", String(200), nullable=False),
    Column("revoked_reason", Text, nullable=True),  # set once revoked; the row stays
)

# --- write side ----------------------------------------------------------------------------

dossier_events = Table(
    "dossier_events",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    # The primary key is the optimistic lock: two writers deciding on the same version both
    # try to insert the same sequence, and the second one fails.
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(40), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("payload", Text, nullable=False),  # the event's JSON, as published
)

nominations = Table(
    "nominations",
    metadata,
    Column("campaign_id", String(100), primary_key=True),
    Column("award_type", String(100), primary_key=True),
    Column("nominee_kind", String(20), primary_key=True),
    Column("nominee_code", String(200), primary_key=True),
    Column("dossier_id", String(36), nullable=False, unique=True),
)

# --- read side (projected from the dossiers topic) ----------------------------------------

dossiers = Table(
    "dossiers",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("campaign_id", String(100), nullable=False),
    Column("campaign_version", String(40), nullable=False),
    Column("unit_code", String(100), nullable=False),
    Column("award_type", String(100), nullable=False),
    Column("nominee_kind", String(20), nullable=False),
    Column("nominee_code", String(200), nullable=False),
    Column("status", String(20), nullable=False),
    Column("version", Integer, nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("opened_by", String(120), nullable=False),
    Column("submitted_at", DateTime(timezone=True), nullable=True),
    Column("submitted_by", String(120), nullable=True),
    Column("reviewed_at", DateTime(timezone=True), nullable=True),
    Column("reviewed_by", String(120), nullable=True),
    Column("findings", Text, nullable=False),  # JSON list of the latest return's findings
    Column("review_note", Text, nullable=True),
    Column("forwarded_at", DateTime(timezone=True), nullable=True),
    Column("forwarded_by", String(120), nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("ix_dossiers_unit_status", "unit_code", "status"),
)

dossier_documents = Table(
    "dossier_documents",
    metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("set_number", Integer, primary_key=True, autoincrement=False),
    Column("document_kind", String(60), primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("uploaded_by", String(120), nullable=False),
    Column("attached_at", DateTime(timezone=True), nullable=False),
)

READ_MODEL = (dossier_documents, dossiers)
"""The tables a rebuild empties before replaying the topic (the event store restores itself)."""
