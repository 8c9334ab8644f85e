"""the projector can show the themes of a text question or the common ground

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("projection", sa.String(length=16), nullable=False, server_default="card")
        )


def downgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.drop_column("projection")
