"""The awards service's own tables.

`cells` holds each nominee's current figures and `cell_versions` every figure it ever had, with
the figures' own time (`as_of`): standings as of a time, the daily history and the forecast are
all computed from those versions, so they depend only on what the log holds, never on the order
partitions were read in or on the wall clock, and a rebuild gives them back identically.
"""

from __future__ import annotations

from sqlalchemy import (
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

metadata = service_metadata("campaign_awards.migrations")
positions = positions_table(metadata)
outbox = outbox_table(metadata)


def _cell_columns() -> list[Column[object]]:
    return [
        Column("numerator", Integer, nullable=False),
        Column("denominator", Integer, nullable=False),
        Column("as_of", DateTime(timezone=True), nullable=False),
        Column("campaign_version", String(40), nullable=False),
        Column("catalogue_version", String(80), nullable=False),
        Column("source_event_id", String(36), nullable=False),  # the IndicatorUpdated behind it
        Column("indicator_name", String(200), nullable=False),
        Column("counted_unit", String(40), nullable=False),
    ]


cells = Table(
    "cells", metadata,
    Column("period_key", String(40), primary_key=True),
    Column("subject_kind", String(10), primary_key=True),
    Column("subject_code", String(200), primary_key=True),
    Column("indicator", String(16), primary_key=True),
    *_cell_columns(),
)

cell_versions = Table(
    "cell_versions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period_key", String(40), nullable=False),
    Column("subject_kind", String(10), nullable=False),
    Column("subject_code", String(200), nullable=False),
    Column("indicator", String(16), nullable=False),
    *_cell_columns(),
    Index("ix_cell_versions_period", "period_key", "subject_kind"),
    # A republished IndicatorUpdated is recognised by its id among every version ever kept.
    Index("ix_cell_versions_source_event", "source_event_id"),
)

standings = Table(
    "standings", metadata,
    Column("period_key", String(40), primary_key=True),
    Column("subject_kind", String(10), primary_key=True),
    Column("subject_code", String(200), primary_key=True),
    Column("unit_code", String(100), nullable=False),
    Column("rank", Integer, nullable=False),
    Column("total_points", Numeric(8, 2), nullable=False),
    Column("targets_met", String(100), nullable=False),  # e.g. "K1,K3"
    Column("figures", Text, nullable=False),  # what the standing was computed from
    Column("previous_rank", Integer, nullable=True),
    Column("previous_points", Numeric(8, 2), nullable=True),
    Column("as_of", DateTime(timezone=True), nullable=False),
)

candidates = Table(
    "candidates", metadata,
    Column("candidate_id", String(300), primary_key=True),
    Column("award_type", String(100), nullable=False),
    Column("nominee_kind", String(12), nullable=False),
    Column("nominee_code", String(200), nullable=False),
    Column("nominee_name", String(200), nullable=False),
    Column("unit_code", String(100), nullable=False),
    Column("status", String(12), nullable=False),  # proposed, withdrawn, decided
    Column("evidence", Text, nullable=False),  # CandidateEvidence as JSON, frozen
    Column("withdrawn_reason", Text, nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("decision_id", String(36), primary_key=True),
    Column("award_type", String(100), nullable=False),
    Column("nominee_kind", String(12), nullable=False),
    Column("nominee_code", String(200), nullable=False),
    Column("unit_code", String(100), nullable=False),
    Column("decided", Text, nullable=False),  # the AwardDecided event as JSON
    Column("revoked", Boolean, nullable=False),
    Column("revoked_reason", Text, nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

nomination_dossiers = Table(
    "nomination_dossiers", metadata,
    Column("dossier_id", String(36), primary_key=True),
    Column("award_type", String(100), nullable=False),
    Column("nominee_kind", String(12), nullable=False),
    Column("nominee_code", String(200), nullable=False),  # unit code or officer key
    Column("unit_code", String(100), nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("forwarded", Boolean, nullable=False),
)

PROJECTED = (cells, cell_versions, standings, candidates, decisions, nomination_dossiers)
"""What a rebuild empties (with the positions) and the log fills again."""
