"""Used order ids, kept for good.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create used_order_ids and mark the id of every stored certificate used."""
    op.create_table(
        "used_order_ids",
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("claimant", sa.Text(), nullable=True),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name="pk_used_order_ids"),
    )
    op.execute(
        "INSERT INTO used_order_ids (order_id, claimant, first_used_at) "
        "SELECT order_id, NULL, created_at FROM certificate_containers"
    )


def downgrade() -> None:
    """Drop used_order_ids."""
    op.drop_table("used_order_ids")
