"""the deck editor's uploaded media files, kept with the draft until a
version takes them

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 00:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deck_draft_media",
        sa.Column("deck_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["deck_id"], ["deck_draft.deck_id"]),
        sa.PrimaryKeyConstraint("deck_id", "name"),
    )


def downgrade() -> None:
    op.drop_table("deck_draft_media")
