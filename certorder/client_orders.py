"""Small pieces of the client SDK: order ids, the UI summary, and list rows."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.x509.oid import NameOID
from pydantic import BaseModel, ConfigDict
from temporalio.client import Client, WorkflowExecution, WorkflowExecutionStatus

from certorder.client_errors import InvalidInputError, temporal_errors
from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.errors import InvalidOrderError
from certorder.workflows import WORKFLOW_TYPE
from certorder.workflows.models import OrderDocument, OrderStatus
from certorder.workflows.search_attributes import ORDER_STATUS, ORDER_SUB_STATUS, PLUGIN_NAME

# Order ids become workflow ids and file names (`certorder cert get` writes <id>.crt),
# so they are restricted to characters that are safe in both.
_ORDER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")
_SUMMARY_NAME_MAX = 64


def new_order_id() -> str:
    """A fresh order id: ``order-`` and 32 hex digits."""
    return f"order-{uuid.uuid4().hex}"


def check_order_id(order_id: str) -> str:
    """Return ``order_id`` if usable as a workflow id and a file name.

    :raises InvalidInputError: otherwise.
    """
    if not isinstance(order_id, str) or not _ORDER_ID.match(order_id):
        raise InvalidInputError(
            f"invalid order id {order_id!r}: use 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )
    return order_id


def order_summary(order_id: str, order_meta: Mapping[str, Any], plugin_name: str | None) -> str:
    """The workflow's static summary, shown in the Temporal UI's list of workflows.

    Only the CSR's common name (or first DNS name) appears: the UI is readable by every
    operator, and a payload codec does not protect search attributes.
    """
    subject = _subject_name(order_meta)
    via = f"via {plugin_name}" if plugin_name else ""
    return f"Certificate order {order_id}: {' '.join(filter(None, (subject, via)))}".rstrip(": ")


def _subject_name(order_meta: Mapping[str, Any]) -> str | None:
    data = order_meta.get("request_data")
    if not isinstance(data, str | bytes) or not data:
        return None
    try:
        csr = load_csr(data)
    except InvalidOrderError:
        return None
    names = [a.value for a in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    if not names:
        try:
            san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
            names = san.value.get_values_for_type(x509.DNSName)
        except (x509.ExtensionNotFound, ValueError):
            names = []
    if not names:
        return None
    printable = "".join(ch for ch in str(names[0]) if ch.isprintable())
    return printable[:_SUMMARY_NAME_MAX] or None


class OrderSummary(BaseModel):
    """One row of ``list_orders``: what visibility knows without asking a worker.

    ``status``/``sub_status``/``plugin_name`` come from the order's search attributes;
    ``workflow_status`` is Temporal's own (``RUNNING``, ``COMPLETED``, ``TERMINATED``...).
    """

    model_config = ConfigDict(frozen=True)

    order_id: str
    status: OrderStatus | None
    sub_status: str | None
    plugin_name: str | None
    workflow_status: str | None
    start_time: datetime | None
    close_time: datetime | None


#: Temporal's words for a run that an operator or a timeout ended: the order never
#: recorded an end of its own, so its status attribute still says PENDING.
_ENDED_FROM_OUTSIDE = ("Terminated", "TimedOut", "Canceled")


def status_filter(status: OrderStatus) -> str:
    """The visibility query clause for orders in ``status`` (see :func:`summary_of`)."""
    ended = ", ".join(f"'{name}'" for name in _ENDED_FROM_OUTSIDE)
    if status is OrderStatus.PENDING:
        return f"{ORDER_STATUS.name} = 'PENDING' AND ExecutionStatus = 'Running'"
    if status is OrderStatus.ERROR:
        return f"({ORDER_STATUS.name} = 'ERROR' OR ExecutionStatus IN ({ended}))"
    return f"{ORDER_STATUS.name} = '{status.value}' AND ExecutionStatus NOT IN ({ended})"


def summary_of(execution: WorkflowExecution) -> OrderSummary:
    """The list row for one workflow execution."""
    attributes = execution.typed_search_attributes
    raw_status = attributes.get(ORDER_STATUS)
    try:
        status = OrderStatus(raw_status) if raw_status else None
    except ValueError:
        status = None
    if execution.status in (WorkflowExecutionStatus.TERMINATED,
                            WorkflowExecutionStatus.TIMED_OUT, WorkflowExecutionStatus.CANCELED):
        status = OrderStatus.ERROR
    return OrderSummary(
        order_id=execution.id,
        status=status,
        sub_status=attributes.get(ORDER_SUB_STATUS),
        plugin_name=attributes.get(PLUGIN_NAME),
        workflow_status=execution.status.name if execution.status else None,
        start_time=execution.start_time,
        close_time=execution.close_time,
    )


def abnormal_end_document(
    order_id: str, execution: WorkflowExecution, detail: str
) -> OrderDocument:
    """The document of an order whose workflow did not complete normally (terminated
    by an operator, failed, timed out): the order is in ERROR, with Temporal's word
    for what happened as sub-status."""
    attributes = execution.typed_search_attributes
    status = execution.status or WorkflowExecutionStatus.FAILED
    return OrderDocument(
        order_id=order_id,
        status=OrderStatus.ERROR,
        sub_status=f"workflow {status.name.lower()}",
        sub_status_message=detail or None,
        plugin_name=attributes.get(PLUGIN_NAME),
    )


_EPOCH = datetime.min.replace(tzinfo=UTC)


async def list_order_rows(temporal: Client, address: str, status: OrderStatus | None,
                          limit: int) -> list[OrderSummary]:
    """See :meth:`certorder.client.CertOrderClient.list_orders`."""
    query = f"WorkflowType = '{WORKFLOW_TYPE}'"
    if status is not None:
        query += f" AND {status_filter(OrderStatus(status))}"
    rows: list[OrderSummary] = []
    with temporal_errors(address):
        async for execution in temporal.list_workflows(query, limit=limit):
            rows.append(summary_of(execution))
    return sorted(rows, key=lambda row: row.start_time or _EPOCH, reverse=True)
