"""ix_dossiers_unknown only of the dossiers the catalogue does not know

The index served one question (which dossiers are unknown to the catalogue?), yet held every
dossier on a flag that is nearly always true, and each snapshot upsert rewrote it. A partial
index holds only the unknown ones. (Alembic's comparison does not see an index's predicate:
this revision was written by hand.)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 21:12:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNKNOWN = sa.text("known_to_catalogue IS false")


def upgrade() -> None:
    op.drop_index('ix_dossiers_unknown', table_name='dossiers')
    op.create_index('ix_dossiers_unknown', 'dossiers', ['known_to_catalogue'],
                    postgresql_where=_UNKNOWN, sqlite_where=_UNKNOWN)


def downgrade() -> None:
    op.drop_index('ix_dossiers_unknown', table_name='dossiers')
    op.create_index('ix_dossiers_unknown', 'dossiers', ['known_to_catalogue'])
