"""The dossiers service's schema as the release before migrations (commit 87c062c) made it with
create_all: the dossiers' event store and read models, documents, nominations, decisions,
figures and candidates, plus the kit's positions and outbox.

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
    op.create_table("award_decisions",
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("decision_number", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=True),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=20), nullable=False),
        sa.Column("nominee_code", sa.String(length=200), nullable=False),
        sa.Column("revoked_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("decision_id")
    )
    op.create_index(op.f("ix_award_decisions_decision_number"), "award_decisions",
                    ["decision_number"])
    op.create_index(op.f("ix_award_decisions_dossier_id"), "award_decisions", ["dossier_id"])
    op.create_table("candidates",
        sa.Column("candidate_id", sa.String(length=300), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=20), nullable=False),
        sa.Column("nominee_code", sa.String(length=200), nullable=False),
        sa.Column("nominee_name", sa.Text(), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("proposed", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id")
    )
    op.create_table("dossier_documents",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("set_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("document_kind", sa.String(length=60), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.BigInteger(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", "set_number", "document_kind")
    )
    op.create_index(op.f("ix_dossier_documents_sha256"), "dossier_documents", ["sha256"])
    op.create_table("dossier_events",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=40), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", "sequence"),
        sa.UniqueConstraint("event_id")
    )
    op.create_table("dossiers",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("campaign_version", sa.String(length=40), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=20), nullable=False),
        sa.Column("nominee_code", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_by", sa.String(length=120), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_by", sa.String(length=120), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=120), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("forwarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forwarded_by", sa.String(length=120), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id")
    )
    op.create_index("ix_dossiers_unit_status", "dossiers", ["unit_code", "status"])
    op.create_table("nominations",
        sa.Column("campaign_id", sa.String(length=100), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=20), nullable=False),
        sa.Column("nominee_code", sa.String(length=200), nullable=False),
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "award_type", "nominee_kind", "nominee_code"),
        sa.UniqueConstraint("dossier_id")
    )
    op.create_table("nominee_figures",
        sa.Column("subject_kind", sa.String(length=20), nullable=False),
        sa.Column("subject_code", sa.String(length=200), nullable=False),
        sa.Column("indicator", sa.String(length=4), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("target", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("target_met", sa.Boolean(), nullable=False),
        sa.Column("campaign_version", sa.String(length=40), nullable=False),
        sa.Column("catalogue_version", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_event_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("subject_kind", "subject_code", "indicator")
    )


def downgrade() -> None:
    op.drop_table("nominee_figures")
    op.drop_table("nominations")
    op.drop_table("dossiers")
    op.drop_table("dossier_events")
    op.drop_table("dossier_documents")
    op.drop_table("candidates")
    op.drop_table("award_decisions")
    op.drop_table("outbox")
    op.drop_table("consumed_positions")
