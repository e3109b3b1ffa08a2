"""Used order ids: the store's record that an order id was taken, kept for good.

Temporal refuses a duplicate workflow id only while it remembers the first workflow
(its retention period); after that, the same id would start a second order whose
certificate lands on the first order's record. The workflow therefore claims its id
here before anything else, and an id claimed by another run is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from certorder.store.schema import used_order_ids

# Built once (every order claims its id): see plugin_state.py.
_HELD = select(used_order_ids).where(used_order_ids.c.order_id == bindparam("order_id"))
_INSERT = insert(used_order_ids)


class OrderIdClaim(BaseModel):
    """Who used an order id first, and when (``claimant`` None: before claims existed)."""

    model_config = ConfigDict(frozen=True)

    order_id: str
    claimant: str | None
    first_used_at: datetime


def claim(connection: Connection, order_id: str, claimant: str | None) -> OrderIdClaim:
    """Mark ``order_id`` used by ``claimant`` unless it already is; return the claim
    that holds. Runs inside the caller's (write) transaction."""
    held = _held(connection, order_id)
    if held is not None:
        return held
    now = datetime.now(UTC)
    try:
        with connection.begin_nested():
            connection.execute(_INSERT, {"order_id": order_id, "claimant": claimant,
                                         "first_used_at": now})
    except IntegrityError:
        # Another writer claimed it between our read and our insert (PostgreSQL's
        # read committed; SQLite's write lock makes this unreachable there).
        held = _held(connection, order_id)
        if held is None:
            raise
        return held
    return OrderIdClaim(order_id=order_id, claimant=claimant, first_used_at=now)


def _held(connection: Connection, order_id: str) -> OrderIdClaim | None:
    row = connection.execute(_HELD, {"order_id": order_id}).first()
    if row is None:
        return None
    moment = row.first_used_at
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return OrderIdClaim(order_id=row.order_id, claimant=row.claimant, first_used_at=moment)
