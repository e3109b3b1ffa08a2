"""Submitting an order: the client's own checks, then update-with-start, so the workers'
verdict comes back in the same round trip as the start (no plugin on the client)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from temporalio.client import (
    Client,
    WithStartWorkflowOperation,
    WorkflowExecutionStatus,
    WorkflowFailureError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
)
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from certorder.client_errors import (
    InvalidInputError,
    OrderExistsError,
    plugin_errors,
    temporal_errors,
)
from certorder.client_orders import order_summary
from certorder.client_workers import queue_is_served
from certorder.plugins.order_checks import check_request
from certorder.settings import Settings
from certorder.workflows import ORDER_REJECTED, WORKFLOW_TYPE
from certorder.workflows.models import ApprovalPolicy, OrderInput, OrderStatus, OrderVerdict
from certorder.workflows.search_attributes import ORDER_STATUS, PLUGIN_NAME

#: How long the client waits for a worker's verdict on a new order.
VERDICT_TIMEOUT = timedelta(seconds=15)
#: ... and when no worker polls the queue (one may be starting).
UNATTENDED_PATIENCE = timedelta(seconds=1)


@dataclass(frozen=True)
class Submission:
    """A started order and what the workers said of it. ``verdict.waiting`` (with its
    message) means accepted but not yet taken up: the order waits for a worker."""

    order_id: str
    verdict: OrderVerdict


class OrderRejectedError(InvalidInputError):
    """A worker refused the order (plugin choice, CA, the plugin's own checks)."""

    def __init__(self, order_id: str, reason: str | None) -> None:
        super().__init__(f"order {order_id} rejected: {reason or 'no reason given'}")
        self.order_id = order_id


async def submit_order(temporal: Client, settings: Settings, order_meta: Mapping[str, Any],
                       order_id: str, *, chosen_id: bool = True,
                       approval: ApprovalPolicy | None = None) -> Submission:
    """See :meth:`certorder.client.CertOrderClient.submit_order`.

    :param chosen_id: the caller chose ``order_id`` (a fresh random one cannot be in use).
    """
    if not isinstance(order_meta, Mapping):
        raise InvalidInputError("order_meta must be a mapping")
    meta = dict(order_meta)
    with plugin_errors():
        check_request(meta)
    named = meta.get("plugin_name") if isinstance(meta.get("plugin_name"), str) else None
    workflow_input = OrderInput(
        order_meta=meta, call_timeout_seconds=settings.plugin_call_timeout_seconds,
        approval=approval)
    options: dict[str, Any] = {
        "id": order_id, "task_queue": settings.task_queue,
        # A rejected order's run fails, which frees its id for a corrected order; an
        # accepted one completes, and its id is never used again.
        "id_reuse_policy": WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        "search_attributes": TypedSearchAttributes(
            [SearchAttributePair(ORDER_STATUS, OrderStatus.PENDING.value)]
            + ([SearchAttributePair(PLUGIN_NAME, named)] if named else [])),
        "static_summary": order_summary(order_id, meta, named),
    }
    with temporal_errors(settings.temporal_address, order_id):
        if chosen_id:
            await _refuse_a_used_id(temporal, order_id)
        # With nobody polling, wait only briefly: a worker that is just starting still
        # answers, and otherwise the order waits durably for one, which checks it first.
        polled = await queue_is_served(temporal, settings)
        patience = VERDICT_TIMEOUT if polled else UNATTENDED_PATIENCE
        start = WithStartWorkflowOperation(
            WORKFLOW_TYPE, workflow_input, id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            **options)
        verdict = await _verdict(temporal, start, order_id, patience)
        if verdict is None:
            await temporal.get_workflow_handle(order_id).describe()  # it did start
            why = (f"no worker checked it within {patience.seconds} s" if polled else
                   f"no worker polls task queue {settings.task_queue!r}")
            return Submission(order_id, OrderVerdict(
                accepted=True, plugin_name=named, waiting=True,
                message=f"{why}; the order will be checked when a worker takes it"))
    if not verdict.accepted:
        raise OrderRejectedError(order_id, verdict.message)
    return Submission(order_id, verdict)


async def _refuse_a_used_id(temporal: Client, order_id: str) -> None:
    """An order that ended ERROR fails its run too (so the UI shows it failed), and
    Temporal would let a failed run's id be used again: only a rejected order's may be."""
    handle = temporal.get_workflow_handle(order_id)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return
        raise
    if description.status == WorkflowExecutionStatus.RUNNING:
        return  # the start itself refuses it (conflict policy FAIL)
    if description.status == WorkflowExecutionStatus.FAILED:
        try:
            await handle.result()
        except WorkflowFailureError as exc:
            if isinstance(exc.cause, ApplicationError) and exc.cause.type == ORDER_REJECTED:
                return
    raise OrderExistsError(order_id)


async def _verdict(temporal: Client, start: WithStartWorkflowOperation, order_id: str,
                   patience: timedelta) -> OrderVerdict | None:
    """The workers' verdict, or None if none came in time (the order is started then)."""
    try:
        return await asyncio.wait_for(
            temporal.execute_update_with_start_workflow(
                "verdict", start_workflow_operation=start, result_type=OrderVerdict),
            patience.total_seconds())
    except WorkflowAlreadyStartedError:
        raise OrderExistsError(order_id) from None
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        # Cancelled by wait_for, the SDK reports its own error rather than the timeout.
        # Collect the start's outcome too: a future left unread (cancelled with the
        # call) would print "Future exception was never retrieved" at exit.
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(start.workflow_handle(), 1)
        return None
