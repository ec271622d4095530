"""The awards service's schema as the release before migrations (commit 87c062c) made it with
create_all: indicator cells and their versions, standings, candidates, decisions and nomination
dossiers, plus the kit's positions and outbox.

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
    op.create_table("candidates",
        sa.Column("candidate_id", sa.String(length=300), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=12), nullable=False),
        sa.Column("nominee_code", sa.String(length=200), nullable=False),
        sa.Column("nominee_name", sa.String(length=200), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("withdrawn_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id")
    )
    op.create_table("cell_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=10), nullable=False),
        sa.Column("subject_code", sa.String(length=200), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("campaign_version", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.String(length=80), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=False),
        sa.Column("indicator_name", sa.String(length=200), nullable=False),
        sa.Column("counted_unit", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id")
    )
    op.create_index("ix_cell_versions_period", "cell_versions", ["period_key", "subject_kind"])
    op.create_table("cells",
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=10), nullable=False),
        sa.Column("subject_code", sa.String(length=200), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("campaign_version", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.String(length=80), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=False),
        sa.Column("indicator_name", sa.String(length=200), nullable=False),
        sa.Column("counted_unit", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("period_key", "subject_kind", "subject_code", "indicator")
    )
    op.create_table("decisions",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=12), nullable=False),
        sa.Column("nominee_code", sa.String(length=200), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("decided", sa.Text(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("revoked_reason", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("decision_id")
    )
    op.create_table("nomination_dossiers",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=12), nullable=False),
        sa.Column("nominee_code", sa.String(length=200), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("forwarded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id")
    )
    op.create_table("standings",
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("subject_kind", sa.String(length=10), nullable=False),
        sa.Column("subject_code", sa.String(length=200), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("total_points", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("targets_met", sa.String(length=100), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("previous_rank", sa.Integer(), nullable=True),
        sa.Column("previous_points", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period_key", "subject_kind", "subject_code")
    )


def downgrade() -> None:
    op.drop_table("standings")
    op.drop_table("nomination_dossiers")
    op.drop_table("decisions")
    op.drop_table("cells")
    op.drop_table("cell_versions")
    op.drop_table("candidates")
    op.drop_table("outbox")
    op.drop_table("consumed_positions")
