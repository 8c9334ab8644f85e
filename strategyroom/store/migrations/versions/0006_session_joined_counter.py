"""count joined devices on the session row (a join is one UPDATE, not a lock and a count)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined", sa.Integer(), nullable=False, server_default="0"))
    # Participants are only ever deleted with their session, so the count is the
    # number of joins so far (and above every number handed out).
    op.execute(
        "UPDATE room_session SET joined = (SELECT count(*) FROM participant"
        " WHERE participant.session_id = room_session.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.drop_column("joined")
