"""Containers of certificate secrets.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create certificate_containers and certificate_secrets."""
    # Spelled out rather than taken from schema.py: a revision must keep building
    # the schema of its own time after schema.py has moved on.
    op.create_table(
        "certificate_containers",
        sa.Column("container_id", sa.Text(), nullable=False),
        sa.Column("order_id", sa.Text(), nullable=False),
        sa.Column("plugin_name", sa.Text(), nullable=False),
        sa.Column("ca_id", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("container_id", name="pk_certificate_containers"),
        sa.UniqueConstraint("order_id", name="uq_certificate_containers_order_id"),
    )
    op.create_index(
        "ix_certificate_containers_created_at", "certificate_containers", ["created_at"]
    )
    op.create_table(
        "certificate_secrets",
        sa.Column("secret_id", sa.Text(), nullable=False),
        sa.Column("container_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("secret_id", name="pk_certificate_secrets"),
        sa.ForeignKeyConstraint(
            ["container_id"],
            ["certificate_containers.container_id"],
            name="fk_certificate_secrets_container_id",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "container_id", "name", name="uq_certificate_secrets_container_id_name"
        ),
    )


def downgrade() -> None:
    """Drop both tables."""
    op.drop_table("certificate_secrets")
    op.drop_index("ix_certificate_containers_created_at", table_name="certificate_containers")
    op.drop_table("certificate_containers")
