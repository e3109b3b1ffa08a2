"""How store activities call the store: on its own threads, bounded in time, and a
database that does not answer is one retryable failure the workflow shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from temporalio.exceptions import ApplicationError

from certorder.store import CertificateStore, StoreUnavailableError

T = TypeVar("T")

#: Longer than the database's own timeouts (``certorder.store.engine``), shorter than
#: the workflow's store activity timeout, so the activity fails with the cause.
STORE_CALL_SECONDS = 20.0

#: ``ApplicationError.type`` of a store that did not answer (the workflow retries).
STORE_UNAVAILABLE = "StoreUnavailable"


async def run_store_call(store: CertificateStore, call: Callable[..., T], *args: object) -> T:
    """``call(*args)`` on the store's threads.

    :raises ApplicationError: of type :data:`STORE_UNAVAILABLE` when the database is
        unreachable, locked, hung, or every store thread is busy.
    """
    try:
        return await store.calls.run(call, *args, timeout=STORE_CALL_SECONDS)
    except (StoreUnavailableError, OperationalError, InterfaceError, PoolTimeoutError) as exc:
        cause = getattr(exc, "orig", None) or exc
        line = " ".join(str(cause).split()) or type(cause).__name__
        raise ApplicationError(line[:300], type=STORE_UNAVAILABLE) from None
