"""Following a workflow from the client by polling its document until it ends: one
loop for orders and revocations, so both report progress and a missing worker alike."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from certorder.client_errors import WorkerUnavailableError

Document = TypeVar("Document")


async def follow_until_done(
    read: Callable[[], Awaitable[Document]],
    done: Callable[[Document], bool],
    *,
    poll_seconds: float,
    on_change: Callable[[Document], None] | None = None,
    on_stall: Callable[[str], None] | None = None,
    timeout: float | None = None,
    timed_out: Callable[[Document | None], Exception] | None = None,
) -> Document:
    """Poll ``read()`` until ``done`` holds for its document, and return that document.

    ``on_change`` sees each document that differs from the last one (the first counts
    as a change). A :class:`WorkerUnavailableError` from ``read`` is reported once per
    stall to ``on_stall`` and the wait goes on, since a worker may start later. After
    ``timeout`` seconds the exception ``timed_out(last document or None)`` is raised.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    last: Document | None = None
    stalled = False
    while True:
        try:
            document = await read()
        except WorkerUnavailableError as exc:
            if on_stall is not None and not stalled:
                on_stall(str(exc))
            stalled = True
        else:
            stalled = False
            if document != last and on_change is not None:
                on_change(document)
            last = document
            if done(document):
                return document
        if deadline is not None and time.monotonic() >= deadline:
            if timed_out is None:
                raise TimeoutError(f"still not done after {timeout:g}s")
            raise timed_out(last)
        await asyncio.sleep(poll_seconds)
