"""Reading an order's state for the client: its document (from Temporal) and its
certificate (from the store). Split from :mod:`certorder.client` to keep it small."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from sqlalchemy.exc import SQLAlchemyError
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowFailureError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from certorder.client_errors import (
    CertOrderError,
    InvalidInputError,
    OrderNotFoundError,
    StoreMissingError,
    WorkerUnavailableError,
    temporal_errors,
)
from certorder.client_orders import abnormal_end_document
from certorder.client_polling import follow_until_done
from certorder.settings import Settings
from certorder.store import (
    CertificateContainer,
    CertificateStore,
    StoreLocationError,
    StoreUnavailableError,
)
from certorder.workflows import WORKFLOW_TYPE
from certorder.workflows.models import OrderDocument, OrderStatus
from certorder.workflows.search_attributes import ORDER_STATUS, ORDER_SUB_STATUS, PLUGIN_NAME


async def read_document(
    temporal: Client, address: str, order_id: str, query_timeout: timedelta
) -> OrderDocument:
    """The order's document: the ``status`` query while it runs, its result once ended.

    :raises OrderNotFoundError: no such order (or a workflow of another type).
    :raises WorkerUnavailableError: the order runs but no worker answered in time.
    """
    handle = temporal.get_workflow_handle(order_id, result_type=OrderDocument)
    with temporal_errors(address, order_id):
        description = await handle.describe()
        if description.workflow_type != WORKFLOW_TYPE:
            raise OrderNotFoundError(order_id)
        if description.status == WorkflowExecutionStatus.RUNNING:
            return await _query_status(temporal, order_id, query_timeout)
        if description.status == WorkflowExecutionStatus.COMPLETED:
            return await handle.result()
        try:
            await handle.result()
            detail = ""
        except WorkflowFailureError as exc:
            ended = document_of_failure(exc.cause)
            if ended is not None:
                return ended
            detail = str(exc.cause or exc)
        return abnormal_end_document(order_id, description, detail)


def document_of_failure(cause: BaseException | None) -> OrderDocument | None:
    """The document of an order that ended ERROR: its run failed on purpose (so the UI
    shows it failed) and carries the document in the failure's details."""
    if (isinstance(cause, ApplicationError) and cause.details
            and isinstance(cause.details[0], Mapping) and "order_id" in cause.details[0]):
        return OrderDocument.model_validate(cause.details[0])
    return None


async def indexed_document(temporal: Client, address: str, order_id: str) -> OrderDocument:
    """What Temporal itself recorded of an order (its search attributes): status,
    sub-status and plugin, without transitions. Needs no worker, so it serves when the
    ``status`` query cannot be answered."""
    handle = temporal.get_workflow_handle(order_id)
    with temporal_errors(address, order_id):
        description = await handle.describe()
    if description.workflow_type != WORKFLOW_TYPE:
        raise OrderNotFoundError(order_id)
    attributes = description.typed_search_attributes
    return OrderDocument(
        order_id=order_id,
        status=OrderStatus(attributes.get(ORDER_STATUS) or OrderStatus.PENDING),
        sub_status=attributes.get(ORDER_SUB_STATUS),
        plugin_name=attributes.get(PLUGIN_NAME),
    )


async def _query_status(temporal: Client, order_id: str, timeout: timedelta) -> OrderDocument:
    handle = temporal.get_workflow_handle(order_id)
    try:
        return await handle.query("status", result_type=OrderDocument, rpc_timeout=timeout)
    except RPCError as exc:
        # The server holds a query until a worker picks it up: a timeout here
        # means nobody polls the task queue, not that the server is down.
        if exc.status in (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED):
            raise WorkerUnavailableError(
                f"order {order_id} is running but no worker answered within "
                f"{timeout.total_seconds():g}s: is `certorder worker` "
                "(or `certorder dev`) running?"
            ) from exc
        raise


def open_store(settings: Settings, *, reader: bool = False) -> CertificateStore:
    """The configured certificate store, migrated, or read-only for a ``reader``
    (blocking); the caller closes it."""
    try:
        if reader:
            return CertificateStore.open_reader(settings.resolved_store_url)
        return CertificateStore.open(settings.resolved_store_url)
    except ValueError as exc:
        raise InvalidInputError(f"invalid store_url: {exc}") from None
    except StoreLocationError as exc:
        raise StoreMissingError(str(exc)) from None
    except StoreUnavailableError as exc:
        # Its message is one line and hides any password in the URL.
        raise CertOrderError(str(exc)) from None
    except SQLAlchemyError as exc:
        # Only the driver's message: the URL may hold a password.
        raise CertOrderError(f"cannot open the certificate store: {exc.orig or exc}") from None


def stored_container(settings: Settings, order_id: str) -> CertificateContainer | None:
    """The order's certificate container from the configured store, read-only (blocking)."""
    store = open_store(settings, reader=True)
    try:
        return store.get_by_order(order_id)
    finally:
        store.close()


async def follow_order(
    read: Callable[[], Awaitable[OrderDocument]],
    order_id: str,
    *,
    on_change: Callable[[OrderDocument], None] | None,
    poll_seconds: float,
    timeout: float | None,
    on_stall: Callable[[str], None] | None,
) -> OrderDocument:
    """Poll ``read()`` until the order ends (see :meth:`CertOrderClient.wait`)."""

    def timed_out(last: OrderDocument | None) -> CertOrderError:
        state = last.status if last is not None else "unknown"
        return CertOrderError(f"order {order_id} still {state} after {timeout:g}s")

    return await follow_until_done(
        read, lambda document: document.status.is_terminal, poll_seconds=poll_seconds,
        on_change=on_change, on_stall=on_stall, timeout=timeout, timed_out=timed_out)


def missing_certificate_error(order_id: str, document: OrderDocument) -> CertOrderError:
    """Why an order has no certificate in the store, as the error to raise."""
    if document.status is OrderStatus.PENDING:
        detail = f": {document.sub_status}" if document.sub_status else ""
        return CertOrderError(f"order {order_id} has no certificate yet: it is PENDING{detail}")
    if document.container_id:
        return CertOrderError(
            f"order {order_id} is {document.status} but its certificate container "
            f"{document.container_id} is not in the configured store (store_url)"
        )
    detail = f" ({document.sub_status})" if document.sub_status else ""
    return InvalidInputError(
        f"order {order_id} ended {document.status}{detail} without a certificate"
    )


async def signal_if_running(temporal: Client, address: str, order_id: str, name: str,
                            payload: object) -> bool:
    """Signal the order if it is still running; False if it has ended.

    :raises OrderNotFoundError: no such order.
    """
    handle = temporal.get_workflow_handle(order_id)
    with temporal_errors(address, order_id):
        description = await handle.describe()
        if description.workflow_type != WORKFLOW_TYPE:
            raise OrderNotFoundError(order_id)
        if description.status != WorkflowExecutionStatus.RUNNING:
            return False
        try:
            await handle.signal(name, payload)
        except RPCError as exc:
            # It ended between describe and signal: report it as ended.
            if exc.status != RPCStatusCode.NOT_FOUND:
                raise
            return False
    return True
