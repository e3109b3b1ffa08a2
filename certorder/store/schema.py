"""The store's tables, as SQLAlchemy Core metadata.

This is what the code reads and writes. The database itself is built only by the
Alembic revisions in ``migrations/versions``; a test checks that the two agree, so a
change here needs a new revision there.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Index,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

#: Secret names inside a container, as Barbican's certificate containers named them.
CERTIFICATE = "certificate"
INTERMEDIATES = "intermediates"
PRIVATE_KEY = "private_key"

#: RFC 8555 §9.1: one or more PEM certificates, text. A single leaf is a chain of one.
PEM_CERTIFICATE_CHAIN = "application/pem-certificate-chain"

metadata = MetaData(naming_convention={"pk": "pk_%(table_name)s"})

certificate_containers = Table(
    "certificate_containers",
    metadata,
    Column("container_id", Text, primary_key=True),
    Column("order_id", Text, nullable=False),
    Column("plugin_name", Text, nullable=False),
    Column("ca_id", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # The idempotency key: a retried activity, or two racing workers, must find
    # the one container of an order instead of making another.
    UniqueConstraint("order_id", name="uq_certificate_containers_order_id"),
    Index("ix_certificate_containers_created_at", "created_at"),
)

certificate_secrets = Table(
    "certificate_secrets",
    metadata,
    Column("secret_id", Text, primary_key=True),
    Column(
        "container_id",
        Text,
        ForeignKey(
            "certificate_containers.container_id",
            ondelete="CASCADE",
            name="fk_certificate_secrets_container_id",
        ),
        nullable=False,
    ),
    Column("name", Text, nullable=False),
    Column("content_type", Text, nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("container_id", "name", name="uq_certificate_secrets_container_id_name"),
)

# What the order's plugin call left behind (order_meta, plugin_meta as JSON), kept
# beside the certificate: a revocation months later needs them, and Temporal forgets
# a finished order's history after its retention period.
certificate_order_data = Table(
    "certificate_order_data",
    metadata,
    Column("order_id", Text, primary_key=True),
    Column("order_meta", Text, nullable=False),
    Column("plugin_meta", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# One row per revoked certificate (by order): the order id is the key, so a repeated
# record of the same revocation finds the row instead of making another.
certificate_revocations = Table(
    "certificate_revocations",
    metadata,
    Column("order_id", Text, primary_key=True),
    Column("reason", Text, nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=False),
    Column("plugin_name", Text, nullable=False),
    Column("serial", Text, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

# Every order id ever used, kept for good: Temporal forgets a workflow after its
# retention period, and an id reused after that must still be refused.
used_order_ids = Table(
    "used_order_ids",
    metadata,
    Column("order_id", Text, primary_key=True),
    # The workflow run that claimed the id; None for an id known only from a
    # certificate stored before claims existed.
    Column("claimant", Text, nullable=True),
    Column("first_used_at", DateTime(timezone=True), nullable=False),
)

#: Private keys made by the workers, envelope-encrypted (see certorder.keys.envelope):
#: ``ciphertext`` under a per-key data key, ``wrapped_data_key`` under the KEK
#: ``kek_id``. Nothing in a row is usable without the KEK.
private_keys = Table(
    "private_keys",
    metadata,
    Column("key_id", Text, primary_key=True),
    Column("key_type", Text, nullable=False),
    Column("public_key", Text, nullable=False),
    Column("ciphertext", Text, nullable=False),
    Column("wrapped_data_key", Text, nullable=False),
    Column("kek_id", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_private_keys_kek_id", "kek_id"),
)

#: Plugins' shared state (``plugins/interface/shared_state.py``): JSON records per plugin
#: name and key; the primary key decides a race to create one. A record's secret is
#: sealed like a private key (``secret_ciphertext`` under a data key wrapped by the KEK
#: ``kek_id``), bound to the plugin name and key.
plugin_state = Table(
    "plugin_state",
    metadata,
    Column("plugin_name", Text, primary_key=True),
    Column("state_key", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("secret_ciphertext", Text, nullable=True),
    Column("wrapped_data_key", Text, nullable=True),
    Column("kek_id", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
