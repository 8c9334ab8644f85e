"""tables, table drafts and answers, device kinds, the discussion timer

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 21:16:01.475239
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "room_table",
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["room_session.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "number"),
    )
    op.create_table(
        "table_answer",
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("table_number", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submission_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("submitted_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("submitted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id", "table_number"],
            ["room_table.session_id", "room_table.number"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["room_session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"],
            ["participant.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "question_id", "table_number"),
    )
    op.create_table(
        "table_draft",
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("table_number", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_by", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by"],
            ["participant.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "table_number"],
            ["room_table.session_id", "room_table.number"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["room_session.id"],
        ),
        sa.PrimaryKeyConstraint("session_id", "question_id", "table_number"),
    )
    device_kind = sa.Enum("PHONE", "TABLET", name="devicekind")
    device_kind.create(op.get_bind(), checkfirst=True)  # PostgreSQL: the type comes first
    # Participants who joined before tables existed are phones without a table;
    # they are numbered in the order they joined.
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("device", device_kind, nullable=False, server_default="PHONE")
        )
        batch_op.add_column(sa.Column("table_number", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_participant_table",
            "room_table",
            ["session_id", "table_number"],
            ["session_id", "number"],
        )
    op.execute(
        "UPDATE participant SET number = (SELECT count(*) FROM participant AS earlier"
        " WHERE earlier.session_id = participant.session_id"
        " AND (earlier.joined_at < participant.joined_at"
        " OR (earlier.joined_at = participant.joined_at AND earlier.id <= participant.id)))"
    )

    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("timer_card", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("timer_ends_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("timer_remaining", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.drop_column("timer_remaining")
        batch_op.drop_column("timer_ends_at")
        batch_op.drop_column("timer_card")

    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_constraint("fk_participant_table", type_="foreignkey")
        batch_op.drop_column("table_number")
        batch_op.drop_column("device")
        batch_op.drop_column("number")

    op.drop_table("table_draft")
    op.drop_table("table_answer")
    op.drop_table("room_table")
    sa.Enum(name="devicekind").drop(op.get_bind(), checkfirst=True)
