"""cell_versions indexed by source event id

A republished IndicatorUpdated is looked up among every figure version ever kept, once per
batch: without the index that lookup scans the whole history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 18:27:29.587371
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cell_versions', schema=None) as batch_op:
        batch_op.create_index('ix_cell_versions_source_event', ['source_event_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('cell_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_cell_versions_source_event')

