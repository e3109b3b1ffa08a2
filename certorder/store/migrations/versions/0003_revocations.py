"""Order data kept for revocation, and recorded revocations.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create certificate_order_data and certificate_revocations."""
    op.create_table(
        "certificate_order_data",
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("order_meta", sa.Text(), nullable=False),
        sa.Column("plugin_meta", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_certificate_order_data"),
    )
    op.create_table(
        "certificate_revocations",
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("plugin_name", sa.Text(), nullable=False),
        sa.Column("serial", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_certificate_revocations"),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("certificate_revocations")
    op.drop_table("certificate_order_data")
