"""Which stored certificates expire soon: read from the store, bounded and cached.

The store keeps certificates as PEM, without their notAfter as a column; each
certificate is parsed once per worker (they never change) and remembered by container
id, so a refresh reads only the ids, the revocations, and the certificates new since.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from cryptography import x509
from sqlalchemy import Engine, select

from certorder.store.schema import (
    CERTIFICATE,
    certificate_containers,
    certificate_revocations,
    certificate_secrets,
)

log = logging.getLogger(__name__)


class ExpiryScanner:
    """Counts unrevoked certificates whose notAfter falls within a window.

    :param limit: at most this many certificates (the newest) are looked at per scan.
    """

    def __init__(self, engine: Engine, limit: int) -> None:
        self._engine = engine
        self._limit = limit
        self._not_after: dict[str, datetime | None] = {}

    def count_expiring(self, now: datetime, within: timedelta) -> int:
        """Certificates not revoked, not yet expired, expiring by ``now + within``."""
        containers = certificate_containers.c
        with self._engine.connect() as db:
            rows = db.execute(
                select(containers.container_id, containers.order_id)
                .order_by(containers.created_at.desc()).limit(self._limit)).all()
            revoked = set(db.execute(select(certificate_revocations.c.order_id)).scalars())
            self._learn(db, [row.container_id for row in rows
                             if row.container_id not in self._not_after])
        live = {row.container_id for row in rows}
        for gone in set(self._not_after) - live:
            del self._not_after[gone]  # deleted, or out of the window: keep the cache bounded
        horizon = now + within
        return sum(1 for row in rows if row.order_id not in revoked
                   and (end := self._not_after.get(row.container_id)) is not None
                   and now < end <= horizon)

    def _learn(self, db, container_ids: list[str]) -> None:
        secrets = certificate_secrets.c
        for start in range(0, len(container_ids), 500):
            batch = container_ids[start:start + 500]
            found = db.execute(select(secrets.container_id, secrets.payload).where(
                secrets.container_id.in_(batch), secrets.name == CERTIFICATE)).all()
            for container_id, payload in found:
                self._not_after[container_id] = _not_after(payload)
            for missing in set(batch) - {row.container_id for row in found}:
                self._not_after[missing] = None


def _not_after(pem: str) -> datetime | None:
    try:
        return x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc
    except ValueError:
        log.warning("a stored certificate cannot be parsed; not counted for expiry")
        return None
