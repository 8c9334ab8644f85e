"""a session can stop taking new participants (the facilitator closes the door)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 17:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("joining_locked", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.drop_column("joining_locked")
