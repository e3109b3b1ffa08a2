"""Private keys, envelope-encrypted under a KEK.

Chained after 0003 (added on other branches, with 0002, concurrently with this one):
until those are merged, this branch's store cannot migrate on its own; to test it alone,
set down_revision to "0001" locally.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create private_keys."""
    op.create_table(
        "private_keys",
        sa.Column("key_id", sa.Text(), nullable=False),
        sa.Column("key_type", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("ciphertext", sa.Text(), nullable=False),
        sa.Column("wrapped_data_key", sa.Text(), nullable=False),
        sa.Column("kek_id", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_id", name="pk_private_keys"),
    )
    op.create_index("ix_private_keys_kek_id", "private_keys", ["kek_id"])


def downgrade() -> None:
    """Drop private_keys."""
    op.drop_index("ix_private_keys_kek_id", table_name="private_keys")
    op.drop_table("private_keys")
