"""Approving and denying orders that wait for a person (signals ``approve``/``deny``)."""

from __future__ import annotations

import getpass
import socket

from temporalio.client import Client

from certorder.client_errors import InvalidInputError, temporal_errors
from certorder.client_status import indexed_document
from certorder.workflows.models import ApprovalDecision

AWAITING = "awaiting approval"


def default_approver() -> str:
    """Who this client's user is, for the record: ``user@host``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


async def decide(temporal: Client, address: str, order_id: str,
                 decision: ApprovalDecision) -> None:
    """Send the decision to an order awaiting approval.

    :raises InvalidInputError: the order is not awaiting approval (nothing is sent).
    """
    # The recorded sub-status needs no worker, so a decision can be sent while none runs.
    document = await indexed_document(temporal, address, order_id)
    if document.status.is_terminal or document.sub_status != AWAITING:
        state = ": ".join(filter(None, (str(document.status), document.sub_status)))
        raise InvalidInputError(f"order {order_id} is not awaiting approval (it is {state})")
    with temporal_errors(address, order_id):
        await temporal.get_workflow_handle(order_id).signal(
            "approve" if decision.approved else "deny", decision)
