"""Plugins' shared state: records (and sealed secrets) per plugin name and key.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create plugin_state."""
    op.create_table(
        "plugin_state",
        sa.Column("plugin_name", sa.Text(), nullable=False),
        sa.Column("state_key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("secret_ciphertext", sa.Text(), nullable=True),
        sa.Column("wrapped_data_key", sa.Text(), nullable=True),
        sa.Column("kek_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plugin_name", "state_key", name="pk_plugin_state"),
    )


def downgrade() -> None:
    """Drop plugin_state."""
    op.drop_table("plugin_state")
