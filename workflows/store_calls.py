"""How the order workflow runs store activities: short attempts it retries itself,
saying in the order's sub-status that the database is unavailable, and since when.

Temporal's own retries would be invisible: ``order show`` said PENDING with no
sub-status for as long as the store was down. Each attempt here is short (the store
activity gives up after ``STORE_CALL_SECONDS``), so a hung database holds a worker
slot for seconds, not for ever, and the wait between attempts is a durable timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from certorder.workflows.plugin_calls import failure_of

T = TypeVar("T")

#: One attempt: more than the activity's own bound on a store call (20 s).
STORE_ATTEMPT_TIMEOUT = timedelta(seconds=30)
FIRST_RETRY_DELAY = timedelta(seconds=1)
MAX_RETRY_DELAY = timedelta(minutes=2)
_ONE_ATTEMPT = RetryPolicy(maximum_attempts=1)


async def run_store_activity(activity: Callable[..., T], arg: Any, *, summary: str, doing: str,
                             on_unavailable: Callable[[str | None, str | None], None],
                             on_cancel: Callable[[], None], local: bool = False) -> T:
    """Run a store activity until it succeeds, however long the database is away.

    After each failed attempt ``on_unavailable(sub_status, message)`` is called with
    ``"<doing>: database unavailable since <first failure> UTC"`` and the cause, and
    ``on_unavailable(None, None)`` once an attempt succeeds after that. A Temporal
    cancel meanwhile goes to ``on_cancel``: the store call is still made (a
    certificate already issued must not be lost). ``local``: each attempt is a local
    activity (the store calls are idempotent, so a re-run attempt is harmless).
    """

    delay, since = FIRST_RETRY_DELAY, None
    while True:
        start = workflow.start_local_activity_method if local else workflow.start_activity_method
        handle = start(activity, arg, start_to_close_timeout=STORE_ATTEMPT_TIMEOUT,
                       retry_policy=_ONE_ATTEMPT, summary=summary)
        try:
            try:
                result = await asyncio.shield(handle)
            except asyncio.CancelledError:
                on_cancel()
                result = await handle
            if since is not None:
                on_unavailable(None, None)
            return result
        except FailureError as err:  # an ActivityError, or a local activity's bare cause
            since = since or workflow.now()
            _, message = failure_of(err)
            on_unavailable(
                f"{doing}: database unavailable since {since:%Y-%m-%d %H:%M:%S} UTC", message)
        try:
            await workflow.sleep(delay, summary=f"{doing}: retry in {delay.total_seconds():g}s")
        except asyncio.CancelledError:
            on_cancel()
        delay = min(delay * 2, MAX_RETRY_DELAY)
