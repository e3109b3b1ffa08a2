"""Writing an order's container: the certificate, its chain, and the order's data for a
later revocation, in one transaction (one commit, so one fsync on SQLite, per order).

Both used to be written in a transaction each; one is cheaper, and atomic: a container
never lacks the order data it was stored with. Everything here runs inside the
caller's write transaction.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, insert, select

from certorder.store import order_ids
from certorder.store.errors import CertificateConflictError
from certorder.store.models import CertificateContainer, StoredSecret
from certorder.store.revocations import OrderData
from certorder.store.rows import pem_secret
from certorder.store.schema import (
    CERTIFICATE,
    INTERMEDIATES,
    certificate_containers,
    certificate_order_data,
    certificate_secrets,
)

log = logging.getLogger(__name__)

# Built once (every issued order writes these): see plugin_state.py.
_INSERT_CONTAINER = insert(certificate_containers)
_INSERT_SECRET = insert(certificate_secrets)
_INSERT_ORDER_DATA = insert(certificate_order_data)
_ORDER_DATA_HELD = select(certificate_order_data.c.order_id).where(
    certificate_order_data.c.order_id == bindparam("order_id"))


def secrets_of(certificate: str, intermediates: str | None) -> list[StoredSecret]:
    """The secrets of a new container; blank ``intermediates`` are not stored."""
    secrets = [pem_secret(CERTIFICATE, certificate)]
    if intermediates and intermediates.strip():
        secrets.append(pem_secret(INTERMEDIATES, intermediates))
    return secrets


def write_container(
    connection: Connection,
    *,
    order_id: str,
    plugin_name: str,
    ca_id: str | None,
    secrets: list[StoredSecret],
    order_data: OrderData | None,
) -> CertificateContainer:
    """Insert the container, its secrets and ``order_data``, and mark the id used.

    :raises IntegrityError: another writer stored this order first (the unique
        ``order_id`` of the container; nothing of this call is then kept).
    """
    container_id = uuid.uuid4().hex
    now = datetime.now(UTC)
    connection.execute(_INSERT_CONTAINER, {
        "container_id": container_id, "order_id": order_id, "plugin_name": plugin_name,
        "ca_id": ca_id, "created_at": now})
    for secret in secrets:
        _insert_secret(connection, container_id, secret, now)
    if order_data is not None:
        insert_order_data(connection, order_id, order_data, now)
    order_ids.claim(connection, order_id, None)
    return CertificateContainer(
        container_id=container_id,
        order_id=order_id,
        plugin_name=plugin_name,
        ca_id=ca_id,
        created_at=now,
        secrets={secret.name: secret for secret in secrets},
    )


def _insert_secret(
    connection: Connection, container_id: str, secret: StoredSecret, now: datetime
) -> None:
    connection.execute(_INSERT_SECRET, {
        "secret_id": uuid.uuid4().hex, "container_id": container_id, "name": secret.name,
        "content_type": secret.content_type, "payload": secret.payload, "created_at": now})


def insert_order_data(
    connection: Connection, order_id: str, order_data: OrderData, now: datetime
) -> None:
    """Keep ``order_data`` unless the order has some already (the first row wins).

    No race to guard here: a concurrent writer of the same order has inserted the
    container first, whose unique ``order_id`` fails this transaction before this point.
    """
    held = connection.execute(_ORDER_DATA_HELD, {"order_id": order_id}).first()
    if held is None:
        connection.execute(_INSERT_ORDER_DATA, {
            "order_id": order_id,
            "order_meta": json.dumps(order_data.order_meta, sort_keys=True),
            "plugin_meta": json.dumps(order_data.plugin_meta, sort_keys=True),
            "created_at": now})


def refuse_another_certificate(
    existing: CertificateContainer, certificate: str, plugin_name: str
) -> None:
    """Let a repeat of the same certificate through; refuse any other one.

    :raises CertificateConflictError: ``existing`` holds another certificate.
    """
    if existing.certificate.strip() == certificate.strip():
        return
    log.error("order %s already has container %s with another certificate (from %s); "
              "refusing the one from %s", existing.order_id, existing.container_id,
              existing.plugin_name, plugin_name)
    raise CertificateConflictError(
        f"order {existing.order_id} already has another certificate in the store (container "
        f"{existing.container_id}, stored {existing.created_at:%Y-%m-%d %H:%M:%S} UTC); "
        "the certificate just issued was not stored"
    )
