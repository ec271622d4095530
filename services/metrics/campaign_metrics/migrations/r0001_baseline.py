"""The metrics service's schema as the release before migrations (commit 87c062c) made it with
create_all: dossier snapshots, indicator cells, service uses, definitions, the catalogue and
dead-letter counts, plus the kit's positions and outbox.

A database of that release is stamped at this revision, not upgraded through it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from campaign_kit.migrations import create_positions_and_outbox

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_positions_and_outbox()
    op.create_table("catalogue_entries",
        sa.Column("procedure_code", sa.String(length=100), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("procedure_name", sa.String(length=500), nullable=False),
        sa.Column("online_level", sa.String(length=20), nullable=False),
        sa.Column("has_fees", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("procedure_code", "unit_code")
    )
    op.create_table("dead_letters",
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("records", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("reason")
    )
    op.create_table("definitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("campaign_version", sa.String(length=40), nullable=False),
        sa.Column("campaign_fingerprint", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.String(length=40), nullable=False),
        sa.Column("catalogue_source", sa.String(length=300), nullable=False),
        sa.Column("catalogue_loaded_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_table("dossiers",
        sa.Column("dossier_code", sa.String(length=100), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("procedure_code", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("online_payment", sa.Integer(), nullable=False),
        sa.Column("fee_exempt", sa.Boolean(), nullable=False),
        sa.Column("receiving_officer", sa.String(length=200), nullable=True),
        sa.Column("finished_on", sa.Date(), nullable=True),
        sa.Column("finished_in_time", sa.Boolean(), nullable=True),
        sa.Column("known_to_catalogue", sa.Boolean(), nullable=False),
        sa.Column("source_topic", sa.String(length=200), nullable=False),
        sa.Column("source_partition", sa.Integer(), nullable=False),
        sa.Column("source_offset", sa.BigInteger(), nullable=False),
        sa.Column("record_at_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_code")
    )
    op.create_index("ix_dossiers_unit_day", "dossiers", ["unit_code", "received_on"])
    op.create_index("ix_dossiers_unit_finished", "dossiers", ["unit_code", "finished_on"])
    op.create_index("ix_dossiers_unknown", "dossiers", ["known_to_catalogue"])
    op.create_table("indicator_cells",
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_code", sa.String(length=200), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("campaign_version", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.String(length=40), nullable=False),
        sa.Column("as_of_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_source", sa.String(length=260), nullable=True),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("emitted_numerator", sa.Integer(), nullable=True),
        sa.Column("emitted_denominator", sa.Integer(), nullable=True),
        sa.Column("emitted_versions", sa.String(length=90), nullable=True),
        sa.PrimaryKeyConstraint("indicator", "subject_kind", "subject_code", "period_kind",
                                "period_key")
    )
    op.create_index("ix_indicator_cells_dirty", "indicator_cells", ["dirty"])
    op.create_table("service_usage",
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_code", sa.String(length=200), nullable=False),
        sa.Column("procedure_code", sa.String(length=100), nullable=False),
        sa.Column("period_kind", sa.String(length=20), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("dossiers", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("indicator", "subject_kind", "subject_code", "procedure_code",
                                "period_kind", "period_key")
    )


def downgrade() -> None:
    op.drop_table("service_usage")
    op.drop_table("indicator_cells")
    op.drop_table("dossiers")
    op.drop_table("definitions")
    op.drop_table("dead_letters")
    op.drop_table("catalogue_entries")
    op.drop_table("outbox")
    op.drop_table("consumed_positions")
