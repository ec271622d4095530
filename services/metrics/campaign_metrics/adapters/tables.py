"""The metrics service's own tables: the latest snapshot of each dossier (with the record that
put it there), the indicator cells (with what was last announced of each), the uses of services
(K1),
the definitions in force and the catalogue's entries, and the shared positions and outbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    String,
    Table,
)

from campaign_kit.db import outbox_table, positions_table, service_metadata

metadata = service_metadata("campaign_metrics.migrations")
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
    Column("received_on", Date, nullable=True),  # local calendar day of NgayTiepNhan
    Column("online_payment", Integer, nullable=False),
    Column("fee_exempt", Boolean, nullable=False),
    Column("receiving_officer", String(200), nullable=True),
    Column("finished_on", Date, nullable=True),  # local calendar day of NgayKetThucXuLy
    Column("finished_in_time", Boolean, nullable=True),  # NgayKetThucXuLy <= NgayHenTra
    Column("known_to_catalogue", Boolean, nullable=False),
    # The record that placed the dossier here: every figure traces back to it.
    Column("source_topic", String(200), nullable=False),
    Column("source_partition", Integer, nullable=False),
    Column("source_offset", BigInteger, nullable=False),
    Column("record_at_ms", BigInteger, nullable=False),  # the record's Kafka timestamp
    Index("ix_dossiers_unit_day", "unit_code", "received_on"),
    Index("ix_dossiers_unit_finished", "unit_code", "finished_on"),
)
# Only the dossiers the catalogue does not know (a few), for ListUnknownDossiers: an index of
# every dossier on a flag that is nearly always true was rewritten by each snapshot upsert for
# nothing (PostgreSQL's work per record is mostly that upsert).
_UNKNOWN = dossiers.c.known_to_catalogue.is_(False)
Index("ix_dossiers_unknown", dossiers.c.known_to_catalogue,
      postgresql_where=_UNKNOWN, sqlite_where=_UNKNOWN)

CELL_KEY = ["indicator", "subject_kind", "subject_code", "period_kind", "period_key"]

indicator_cells = Table(
    "indicator_cells",
    metadata,
    Column("indicator", String(16), primary_key=True),
    Column("subject_kind", String(20), primary_key=True),
    Column("subject_code", String(200), primary_key=True),
    Column("period_kind", String(20), primary_key=True),
    Column("period_key", String(40), primary_key=True),
    Column("numerator", Integer, nullable=False),
    Column("denominator", Integer, nullable=False),
    Column("campaign_version", String(40), nullable=False),
    Column("catalogue_version", String(40), nullable=False),
    # Kafka timestamp and position of the latest record that touched the cell.
    Column("as_of_ms", BigInteger, nullable=False),
    Column("last_source", String(260), nullable=True),
    # Coalesced announcements: a changed cell is dirty until the next flush announces it; the
    # emitted_* columns hold what was announced last (the next event's `previous`).
    Column("dirty", Boolean, nullable=False),
    Column("emitted_numerator", Integer, nullable=True),
    Column("emitted_denominator", Integer, nullable=True),
    Column("emitted_versions", String(90), nullable=True),
    Index("ix_indicator_cells_dirty", "dirty"),
)

USAGE_KEY = ["indicator", "subject_kind", "subject_code", "procedure_code", "period_kind",
             "period_key"]

service_usage = Table(
    "service_usage",
    metadata,
    # Indicators counting services (K1): uses per service (procedure) of a subject and period.
    Column("indicator", String(16), primary_key=True),
    Column("subject_kind", String(20), primary_key=True),
    Column("subject_code", String(200), primary_key=True),
    Column("procedure_code", String(100), primary_key=True),
    Column("period_kind", String(20), primary_key=True),
    Column("period_key", String(40), primary_key=True),
    Column("dossiers", Integer, nullable=False),
)

definitions = Table(
    "definitions",
    metadata,
    # One row: the campaign file and the catalogue the stored figures were computed with.
    Column("id", Integer, primary_key=True),
    Column("campaign_id", String(100), nullable=False),
    Column("campaign_version", String(40), nullable=False),
    Column("campaign_fingerprint", String(40), nullable=False),
    Column("catalogue_version", String(40), nullable=False),
    Column("catalogue_source", String(300), nullable=False),
    Column("catalogue_loaded_at_ms", BigInteger, nullable=False),
)

catalogue_entries = Table(
    "catalogue_entries",
    metadata,
    Column("procedure_code", String(100), primary_key=True),
    Column("unit_code", String(100), primary_key=True),
    Column("procedure_name", String(500), nullable=False),
    Column("online_level", String(20), nullable=False),
    Column("has_fees", Boolean, nullable=False),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    # Records of the inbound topic dead-lettered, by reason (GetStatus; rebuilt with the rest).
    Column("reason", String(40), primary_key=True),
    Column("records", BigInteger, nullable=False),
)
