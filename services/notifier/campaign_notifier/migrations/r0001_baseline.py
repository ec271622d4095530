"""The notifier service's schema as the release before migrations (commit 87c062c) made it with
create_all: the facts its rules read, notices, deliveries and their attempts, schedule marks and
the clock's anchor, plus the kit's positions and outbox.

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
    op.create_table("attachments",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("set_number", sa.Integer(), nullable=False),
        sa.Column("document_kind", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id", "set_number", "document_kind")
    )
    op.create_table("candidates",
        sa.Column("candidate_id", sa.String(length=300), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("award_name", sa.String(length=300), nullable=False),
        sa.Column("nominee_kind", sa.String(length=20), nullable=False),
        sa.Column("nominee_code", sa.String(length=300), nullable=False),
        sa.Column("nominee_name", sa.String(length=300), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("open", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("candidate_id")
    )
    op.create_table("cells",
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("indicator", sa.String(length=16), nullable=False),
        sa.Column("indicator_name", sa.String(length=300), nullable=False),
        sa.Column("counted_unit", sa.String(length=50), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("rate", sa.String(length=12), nullable=True),
        sa.Column("target", sa.String(length=12), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("state_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("unit_code", "indicator")
    )
    op.create_table("clock_anchor",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("wall", sa.DateTime(timezone=True), nullable=False),
        sa.Column("campaign", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name")
    )
    op.create_table("deliveries",
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("notice_id", sa.Integer(), nullable=False),
        sa.Column("cause_event_id", sa.String(length=36), nullable=False),
        sa.Column("correlation_id", sa.String(length=36), nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recipient", sa.String(length=500), nullable=False),
        sa.Column("recipient_name", sa.String(length=300), nullable=False),
        sa.Column("language", sa.String(length=5), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("delivery_id"),
        sa.UniqueConstraint("idempotency_key")
    )
    op.create_index(op.f("ix_deliveries_created_at"), "deliveries", ["created_at"])
    op.create_index(op.f("ix_deliveries_rule"), "deliveries", ["rule"])
    op.create_index(op.f("ix_deliveries_status"), "deliveries", ["status"])
    op.create_index(op.f("ix_deliveries_unit_code"), "deliveries", ["unit_code"])
    op.create_table("delivery_attempts",
        sa.Column("delivery_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("delivery_id", "number")
    )
    op.create_table("dossiers",
        sa.Column("dossier_id", sa.String(length=36), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("award_type", sa.String(length=100), nullable=False),
        sa.Column("nominee_kind", sa.String(length=20), nullable=False),
        sa.Column("nominee_code", sa.String(length=300), nullable=False),
        sa.Column("submitted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("dossier_id")
    )
    op.create_table("freshness",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=200), nullable=False),
        sa.Column("last_record_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "code")
    )
    op.create_table("notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("subject_key", sa.String(length=300), nullable=False),
        sa.Column("period", sa.String(length=100), nullable=False),
        sa.Column("template", sa.String(length=50), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("rule", "unit_code", "subject_key", "period", name="uq_notice_once")
    )
    op.create_table("schedule_marks",
        sa.Column("rule", sa.String(length=50), nullable=False),
        sa.Column("last_slot", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rule")
    )
    op.create_table("standings",
        sa.Column("unit_code", sa.String(length=100), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("total_points", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("unit_code")
    )


def downgrade() -> None:
    op.drop_table("standings")
    op.drop_table("schedule_marks")
    op.drop_table("notices")
    op.drop_table("freshness")
    op.drop_table("dossiers")
    op.drop_table("delivery_attempts")
    op.drop_table("deliveries")
    op.drop_table("clock_anchor")
    op.drop_table("cells")
    op.drop_table("candidates")
    op.drop_table("attachments")
    op.drop_table("outbox")
    op.drop_table("consumed_positions")
