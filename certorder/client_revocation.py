"""The client side of revocation: checks, start, verdict and following.

Every check that needs no plugin runs here, before anything starts: the order id,
the reason, and the store (the order has a certificate, not already revoked). The
one check that needs the plugin (does it offer revocation?) runs on the worker as
the workflow's first step; :func:`start_revocation` waits a moment for that verdict,
so a refusal is still one line for the user. The workflow is addressed by name only,
so this module imports no workflow code.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from temporalio.client import WorkflowExecutionStatus, WorkflowFailureError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from certorder.client import CertOrderClient
from certorder.client_errors import (
    CertOrderError,
    InvalidInputError,
    OrderNotFoundError,
    TemporalUnavailableError,
    WorkerUnavailableError,
    temporal_errors,
)
from certorder.client_orders import check_order_id
from certorder.client_polling import follow_until_done
from certorder.client_status import missing_certificate_error, open_store
from certorder.plugins.interface.revocation import RevocationReason
from certorder.settings import Settings
from certorder.store import CertificateContainer
from certorder.store.revocations import RecordedRevocation
from certorder.workflows.revocation_fsm import RevocationState
from certorder.workflows.revocation_models import (
    REVOCATION_WORKFLOW_TYPE,
    RevocationDocument,
    RevocationInput,
    revocation_workflow_id,
)
from certorder.workflows.revocation_presentation import revocation_summary

#: How long the client waits for the worker's verdict before saying it has started.
VERDICT_TIMEOUT_SECONDS = 10.0


class RevocationRunningError(InvalidInputError):
    """A revocation of this certificate is running already; there is never a second."""

    def __init__(self, order_id: str) -> None:
        super().__init__(
            f"a revocation of order {order_id} is already running "
            f"({revocation_workflow_id(order_id)}); follow it with: "
            f"certorder cert revoke {order_id} --reason R --wait")


def parse_reason(text: str) -> RevocationReason:
    """The reason named by ``text``; :class:`InvalidInputError` listing the valid ones."""
    try:
        return RevocationReason.parse(text)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None


def stored_revocation_facts(
    settings: Settings, order_id: str
) -> tuple[CertificateContainer | None, RecordedRevocation | None]:
    """The order's container and its recorded revocation, from the store (blocking)."""
    store = open_store(settings)
    try:
        return store.get_by_order(order_id), store.revocations.get(order_id)
    finally:
        store.close()


def recorded_document(recorded: RecordedRevocation) -> RevocationDocument:
    """A finished revocation's document, from the store's record alone."""
    return RevocationDocument(
        order_id=recorded.order_id, reason=RevocationReason(recorded.reason),
        state=RevocationState.REVOKED, checked=True, plugin_name=recorded.plugin_name,
        serial=recorded.serial, revoked_at=recorded.revoked_at,
        message="already revoked (recorded in the store)")


async def start_revocation(client: CertOrderClient, order_id: str, reason: str, *,
                           verdict_timeout: float | None = None,
                           managed_workflow_id: str | None = None) -> RevocationDocument:
    """Check, start the revocation workflow, and return its document once the worker
    has given its verdict (or ``verdict_timeout`` passed: then ``checked`` is false).
    ``managed_workflow_id``: the managed certificate the order belongs to, told when
    the reason is keyCompromise.

    :raises InvalidInputError: bad order id or reason, no such order, no certificate,
        or a revocation of this certificate is already running.
    """
    check_order_id(order_id)
    revocation_reason = parse_reason(reason)
    settings = client.settings
    container, recorded = await asyncio.to_thread(stored_revocation_facts, settings, order_id)
    if recorded is not None:
        return recorded_document(recorded)
    if container is None:
        raise await _no_certificate(client, order_id)
    workflow_id = revocation_workflow_id(order_id)
    with temporal_errors(settings.temporal_address, order_id):
        try:
            await client.temporal.start_workflow(
                REVOCATION_WORKFLOW_TYPE,
                RevocationInput(order_id=order_id, reason=revocation_reason,
                                call_timeout_seconds=settings.plugin_call_timeout_seconds,
                                managed_workflow_id=managed_workflow_id),
                id=workflow_id, task_queue=settings.task_queue,
                # One revocation at a time per certificate; a new one may follow a
                # refused or failed one (a revoked one is caught by the store above).
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                static_summary=revocation_summary(order_id, revocation_reason.value))
        except WorkflowAlreadyStartedError:
            raise RevocationRunningError(order_id) from None
    timeout = VERDICT_TIMEOUT_SECONDS if verdict_timeout is None else verdict_timeout
    return await _verdict(client, order_id, revocation_reason, timeout)


async def _no_certificate(client: CertOrderClient, order_id: str) -> CertOrderError:
    try:
        document = await client.status(order_id)  # OrderNotFoundError if there is no order
    except (TemporalUnavailableError, WorkerUnavailableError):
        return InvalidInputError(f"order {order_id} has no certificate in the store to revoke")
    return InvalidInputError(f"nothing to revoke: {missing_certificate_error(order_id, document)}")


async def _verdict(client: CertOrderClient, order_id: str, reason: RevocationReason,
                   timeout: float) -> RevocationDocument:
    deadline = time.monotonic() + timeout
    document = None
    while (left := deadline - time.monotonic()) > 0:
        try:
            document = await read_revocation(client, order_id,
                                             timedelta(seconds=max(left, 0.2)))
        except WorkerUnavailableError:
            pass
        else:
            if document.checked or document.state.is_terminal or document.waiting_for_plugin:
                return document
        await asyncio.sleep(0.1)
    # No worker answered in time: the revocation is started all the same.
    return document or RevocationDocument(order_id=order_id, reason=reason)


async def read_revocation(client: CertOrderClient, order_id: str,
                          query_timeout: timedelta | None = None) -> RevocationDocument:
    """The revocation's document: its ``status`` query while it runs, its result after.

    :raises InvalidInputError: no revocation was started for this order.
    :raises WorkerUnavailableError: it runs but no worker answered the query.
    """
    workflow_id = revocation_workflow_id(order_id)
    handle = client.temporal.get_workflow_handle(workflow_id, result_type=RevocationDocument)
    address = client.settings.temporal_address
    try:
        with temporal_errors(address, workflow_id):
            description = await handle.describe()
    except OrderNotFoundError:
        raise InvalidInputError(f"no revocation of order {order_id} was started") from None
    if description.status == WorkflowExecutionStatus.RUNNING:
        try:
            return await handle.query("status", result_type=RevocationDocument,
                                      rpc_timeout=query_timeout or client.query_timeout)
        except RPCError as exc:
            if exc.status in (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED):
                raise WorkerUnavailableError(
                    f"the revocation of order {order_id} is running but no worker answered: "
                    "is `certorder worker` (or `certorder dev`) running?") from exc
            raise
    with temporal_errors(address, workflow_id):
        try:
            return await handle.result()
        except WorkflowFailureError as exc:
            return RevocationDocument(
                order_id=order_id, reason=RevocationReason.UNSPECIFIED,
                state=RevocationState.ERROR, checked=True,
                message=f"workflow {description.status.name.lower()}: {exc.cause or exc}")


async def wait_revocation(client: CertOrderClient, order_id: str,
                          on_change: Callable[[RevocationDocument], None] | None = None,
                          poll_seconds: float = 1.0, *,
                          on_stall: Callable[[str], None] | None = None
                          ) -> RevocationDocument:
    """Poll the revocation until it ends; returns its final document."""
    return await follow_until_done(
        lambda: read_revocation(client, order_id), lambda document: document.state.is_terminal,
        poll_seconds=poll_seconds, on_change=on_change, on_stall=on_stall)


def recorded_revocation(settings: Settings, order_id: str) -> RecordedRevocation | None:
    """The order's recorded revocation (blocking), for ``order show``: ``None`` also
    when the store cannot be read (with a warning), since the order itself was shown."""
    try:
        return stored_revocation_facts(settings, order_id)[1]
    except CertOrderError as exc:
        print(f"certorder: warning: cannot tell whether it was revoked: {exc}", file=sys.stderr)
        return None

