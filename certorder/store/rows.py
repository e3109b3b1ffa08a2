"""Rows of the store's tables, read back as the models the store hands out."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import Connection, Row, select

from certorder.store.models import CertificateContainer, StoredSecret
from certorder.store.schema import PEM_CERTIFICATE_CHAIN, certificate_secrets


def with_secrets(connection: Connection, rows: Sequence[Row]) -> list[CertificateContainer]:
    """The containers of ``rows``, each with its secrets (one query for all)."""
    ids = [row.container_id for row in rows]
    secrets: dict[str, dict[str, StoredSecret]] = {container_id: {} for container_id in ids}
    if ids:
        query = select(certificate_secrets).where(certificate_secrets.c.container_id.in_(ids))
        for secret in connection.execute(query):
            secrets[secret.container_id][secret.name] = StoredSecret(
                name=secret.name, content_type=secret.content_type, payload=secret.payload
            )
    return [container_of(row, secrets[row.container_id]) for row in rows]


def pem_secret(name: str, payload: str) -> StoredSecret:
    return StoredSecret(name=name, content_type=PEM_CERTIFICATE_CHAIN, payload=payload)


def container_of(row: Row, secrets: dict[str, StoredSecret]) -> CertificateContainer:
    return CertificateContainer(
        container_id=row.container_id,
        order_id=row.order_id,
        plugin_name=row.plugin_name,
        ca_id=row.ca_id,
        created_at=utc(row.created_at),
        secrets=secrets,
    )


def utc(moment: datetime) -> datetime:
    # SQLite keeps no zone: the store writes UTC, so a naive value read back is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
