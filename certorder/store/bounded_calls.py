"""Store calls on the store's own few threads, each bounded in time.

A worker's plugin calls and its store writes used to share one thread pool: a hung
database then held every thread, and no plugin call could run. Store calls run here
instead, at most :data:`STORE_THREADS` at once; others queue, and every call (queue
time included) is bounded, so behind a hung database a call fails in time (the
workflow retries it later) instead of waiting for ever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from certorder.store.errors import StoreUnavailableError

T = TypeVar("T")

#: Store calls a worker makes at once (its store activities' own slots).
STORE_THREADS = 4


class BoundedCalls:
    """Run blocking store calls from async code, on a small executor of their own."""

    def __init__(self, threads: int = STORE_THREADS) -> None:
        self.threads = threads
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="store-call")

    async def run(self, call: Callable[..., T], *args: object, timeout: float) -> T:
        """``call(*args)`` on a store thread, its result within ``timeout`` seconds.

        :raises StoreUnavailableError: no answer in time, waiting for a store thread
            included (a call still queued is dropped; one running gives its thread back
            when the database finally answers).
        """
        future = self._executor.submit(call, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout)
        except TimeoutError:
            raise StoreUnavailableError(
                f"no answer from the database within {timeout:g}s") from None

    def close(self) -> None:
        """Stop taking calls; a call still stuck in the database is abandoned."""
        self._executor.shutdown(wait=False, cancel_futures=True)
