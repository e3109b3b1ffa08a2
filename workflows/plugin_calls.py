"""How the order workflow runs its activities: options, shielding, and failure mapping."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.ca_activities import CaActivities
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows.eager_dispatch import dispatch

T = TypeVar("T")

# A call that outlives its timeout (OrderState.call_timeout_seconds) is abandoned and
# made again. Plugin *exceptions* are never retried (they end the order); these retries
# cover workers that die or lose their connection, for as long as it takes, with backoff.
INFRASTRUCTURE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)

# Plugin calls heartbeat about every second (activities/call_heartbeat.py): a worker
# that dies mid-call is noticed after this, not after the whole call timeout, and the
# retried attempt resumes from the plugin_meta the call last reported.
PLUGIN_CALL_HEARTBEAT_TIMEOUT = timedelta(seconds=10)

ORDER_METHODS = {
    PluginMethod.ISSUE: CaActivities.issue_certificate_request,
    PluginMethod.CHECK: CaActivities.check_certificate_status,
    PluginMethod.MODIFY: CaActivities.modify_certificate_request,
    PluginMethod.CANCEL: CaActivities.cancel_certificate_request,
}


async def run_activity(activity: Callable[..., T], arg: Any, *, summary: str,
                       timeout: timedelta, on_cancel: Callable[[], None],
                       heartbeat_timeout: timedelta | None = None, local: bool = False,
                       eager: bool = True) -> T:
    """Run one activity to completion, even if the workflow is canceled meanwhile.

    A Temporal cancel arriving mid-call must not abandon the call: its result
    (plugin_meta, e.g. the CA's order id) is needed to cancel at the CA. The cancel is
    handed to ``on_cancel`` and the call is awaited to its end.

    ``local``: as a local activity, in the workflow task itself (no heartbeat): only
    for calls that are quick and safe to repeat (``quick_calls``, ``quick_checks``).
    ``eager=False``: through the task queue, never straight back to this worker
    (``workflows/eager_dispatch.py``).
    """
    if local:
        handle = workflow.start_local_activity_method(
            activity, arg, start_to_close_timeout=timeout,
            retry_policy=INFRASTRUCTURE_RETRY, summary=summary)
    else:
        with dispatch(eager=eager):
            handle = workflow.start_activity_method(
                activity, arg,
                start_to_close_timeout=timeout,
                heartbeat_timeout=heartbeat_timeout,
                retry_policy=INFRASTRUCTURE_RETRY,
                summary=summary,
            )
    try:
        try:
            return await asyncio.shield(handle)
        except asyncio.CancelledError:
            on_cancel()
            return await handle
    except FailureError as err:
        if not local or isinstance(err, ActivityError):
            raise
        raise _as_activity_error(err, summary) from err


def _as_activity_error(err: FailureError, summary: str) -> ActivityError:
    # A failed local activity raises its cause bare (no ActivityError around it):
    # callers handle one kind of failure, whichever way the call ran.
    wrapped = ActivityError(f"local activity failed: {summary}", scheduled_event_id=0,
                            started_event_id=0, identity="", activity_type="",
                            activity_id="", retry_state=None)
    wrapped.__cause__ = err
    return wrapped


def failure_of(err: FailureError) -> tuple[str, str]:
    """(type, message) of what the plugin raised, from the activity's failure (or, of
    a local activity, the failure itself)."""
    cause = err.cause if isinstance(err, ActivityError) else err
    if isinstance(cause, ApplicationError):
        return cause.type or "ApplicationError", cause.message
    return type(cause).__name__, str(cause or err)
