"""co-facilitators of a session; share links named by a random id

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 17:30:00.000000
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_facilitator",
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["facilitator_id"], ["facilitator.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["room_session.id"]),
        sa.PrimaryKeyConstraint("session_id", "facilitator_id"),
    )
    with op.batch_alter_table("report_share", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )
    # Links made before this revision get a random id too: the old row ids
    # could be counted, which is why they are no longer used.
    shares = sa.table("report_share", sa.column("id", sa.Integer), sa.column("public_id"))
    connection = op.get_bind()
    for (share_id,) in connection.execute(sa.select(shares.c.id)).all():
        connection.execute(
            shares.update()
            .where(shares.c.id == share_id)
            .values(public_id=secrets.token_urlsafe(16))
        )
    with op.batch_alter_table("report_share", schema=None) as batch_op:
        batch_op.alter_column(
            "public_id", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        )
        batch_op.create_unique_constraint("uq_report_share_public_id", ["public_id"])


def downgrade() -> None:
    with op.batch_alter_table("report_share", schema=None) as batch_op:
        batch_op.drop_constraint("uq_report_share_public_id", type_="unique")
        batch_op.drop_column("public_id")
    op.drop_table("session_facilitator")
