"""the deck library: decks with immutable versions and their media; a session
records the library version it was opened with

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "library_deck",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("latest", sa.Integer(), nullable=False),
        sa.Column("sample_file", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("sample_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["facilitator.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "deck_version",
        sa.Column("deck_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["deck_id"], ["library_deck.id"]),
        sa.ForeignKeyConstraint(["created_by"], ["facilitator.id"]),
        sa.PrimaryKeyConstraint("deck_id", "number"),
    )
    op.create_table(
        "deck_media",
        sa.Column("deck_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deck_id", "number"], ["deck_version.deck_id", "deck_version.number"]
        ),
        sa.PrimaryKeyConstraint("deck_id", "number", "name"),
    )
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deck_number", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("room_session", schema=None) as batch_op:
        batch_op.drop_column("deck_number")
    op.drop_table("deck_media")
    op.drop_table("deck_version")
    op.drop_table("library_deck")
