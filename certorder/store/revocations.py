"""What the store keeps for revocation: each order's plugin data, and revocations done.

Both are keyed by order id and written idempotently: a retried activity finds the
row it (or another worker) already wrote. All methods block.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from certorder.store.schema import certificate_order_data, certificate_revocations
from certorder.store.write_lock import writer


class OrderData(BaseModel):
    """The order_meta and plugin_meta an order's certificate was issued with."""

    model_config = ConfigDict(frozen=True)

    order_meta: dict[str, Any]
    plugin_meta: dict[str, Any]


class RecordedRevocation(BaseModel):
    """A certificate the store knows to be revoked."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    reason: str
    revoked_at: datetime
    plugin_name: str
    serial: str | None = None


class RevocationRecords:
    """Order data and revocations in the certificate store's database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def keep_order_data(self, order_id: str, order_meta: dict[str, Any],
                        plugin_meta: dict[str, Any]) -> None:
        """Keep an order's data once; a second call for the same order changes nothing."""
        self._insert_once(insert(certificate_order_data).values(
            order_id=order_id, order_meta=json.dumps(order_meta, sort_keys=True),
            plugin_meta=json.dumps(plugin_meta, sort_keys=True), created_at=datetime.now(UTC)))

    def order_data(self, order_id: str) -> OrderData | None:
        """The order's data, or None for an order stored before it was kept."""
        query = select(certificate_order_data).where(certificate_order_data.c.order_id == order_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return OrderData(order_meta=json.loads(row.order_meta),
                         plugin_meta=json.loads(row.plugin_meta))

    def record(self, *, order_id: str, reason: str, revoked_at: datetime, plugin_name: str,
               serial: str | None) -> RecordedRevocation:
        """Record that the order's certificate is revoked; the first record stays."""
        self._insert_once(insert(certificate_revocations).values(
            order_id=order_id, reason=reason, revoked_at=revoked_at, plugin_name=plugin_name,
            serial=serial, recorded_at=datetime.now(UTC)))
        recorded = self.get(order_id)
        assert recorded is not None  # just written, or written before
        return recorded

    def get(self, order_id: str) -> RecordedRevocation | None:
        """The order's recorded revocation, or None."""
        query = select(certificate_revocations).where(
            certificate_revocations.c.order_id == order_id)
        with self._engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return RecordedRevocation(order_id=row.order_id, reason=row.reason,
                                  revoked_at=_utc(row.revoked_at), plugin_name=row.plugin_name,
                                  serial=row.serial)

    def _insert_once(self, statement) -> None:
        with writer(self._engine) as connection:
            try:
                with connection.begin():
                    connection.execute(statement)
            except IntegrityError:
                pass  # already there: the key is the order id, and the first row wins


def _utc(moment: datetime) -> datetime:
    # SQLite keeps no zone: the store writes UTC, so a naive value read back is UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
