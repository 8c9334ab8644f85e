"""a table can call for the facilitator ("we need help")

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 21:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room_table", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("help", sa.String(length=16), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("room_table", schema=None) as batch_op:
        batch_op.drop_column("help")
