"""The typed client SDK: submit, follow, change and collect certificate orders.

Used by the CLI and by tests; anything else that wants orders should use it too::

    async with await CertOrderClient.connect(load_settings()) as client:
        order_id = await client.submit({"request_type": "simple-cmc", "request_data": pem})
        document = await client.wait(order_id)
        container = await client.get_certificate(order_id)

The client needs nothing but Temporal: it loads no plugin and reads no CA credential.
The workflow is addressed by name only (type, update, signals, query), so importing
this module does not import the workflow code. Every error a user can cause is a
:class:`~certorder.client_errors.CertOrderError` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from temporalio.client import Client

from certorder import client_approval as approvals
from certorder.client_admin import CaAdmin
from certorder.client_errors import (
    CertOrderError,
    InvalidInputError,
    OrderClosedError,
    TemporalUnavailableError,
    plugin_errors,
)
from certorder.client_orders import (
    OrderSummary,
    check_order_id,
    checked_order_meta,
    new_order_id,
)
from certorder.client_reads import OrderReads
from certorder.client_status import signal_if_running
from certorder.client_submit import Submission, submit_order
from certorder.plugins.interface.csr import load_csr
from certorder.settings import Settings
from certorder.temporal_client import connect as connect_temporal
from certorder.workflows.models import (
    ApprovalDecision,
    ApprovalPolicy,
    CancelRequest,
    ModifyRequest,
    OrderDocument,
    OrderStatus,
)

# What an SDK user needs, from one module.
__all__ = [
    "ApprovalPolicy",
    "CertOrderClient",
    "CertOrderError",
    "InvalidInputError",
    "OrderDocument",
    "OrderStatus",
    "OrderSummary",
    "Submission",
]

#: How long a status query may wait for a worker before the order counts as unattended.
QUERY_TIMEOUT = timedelta(seconds=5)


class CertOrderClient(OrderReads):
    """A connection to the order service: Temporal, and nothing else.

    The client loads no plugin and reads no CA credential: what needs the plugins (the
    plugin choice, its order fields, the CAs) is decided by the workers, through
    Temporal. Build it with :meth:`connect`; ``async with`` closes it. Here: connecting
    and changing orders; reading them is inherited from :class:`OrderReads`.
    """

    def __init__(self, settings: Settings, temporal: Client) -> None:
        self.settings = settings
        self.temporal = temporal
        self.query_timeout = QUERY_TIMEOUT
        #: ``ca list|create|delete`` and ``plugin list``, carried out by the workers.
        self.cas = CaAdmin(temporal, settings)

    @classmethod
    async def connect(cls, settings: Settings) -> CertOrderClient:
        """Connect to Temporal as configured.

        :raises TemporalUnavailableError: the frontend cannot be reached.
        """
        try:
            temporal = await connect_temporal(settings)
        except RuntimeError as exc:
            # The Rust core reports a refused connection as a bare RuntimeError.
            raise TemporalUnavailableError(settings.temporal_address) from exc
        return cls(settings, temporal)

    async def __aenter__(self) -> CertOrderClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release today (kept so callers need not change when there is)."""

    # -- orders ------------------------------------------------------------------------

    async def submit(self, order_meta: Mapping[str, Any], order_id: str | None = None,
                     approval: ApprovalPolicy | None = None) -> str:
        """Check an order and start its workflow; returns the order id.

        See :meth:`submit_order`, which also returns the workers' verdict.
        """
        return (await self.submit_order(order_meta, order_id, approval)).order_id

    async def submit_order(
        self, order_meta: Mapping[str, Any], order_id: str | None = None,
        approval: ApprovalPolicy | None = None,
    ) -> Submission:
        """Check an order, start its workflow and return the workers' verdict on it.

        The checks that need no plugin (order id, request type, CSR parse, signature and
        key) run here, before anything starts; the rest (plugin choice, ``ca_id``, the
        plugin's own fields) on a worker, which answers at once through update-with-start.
        ``order_meta`` is passed on exactly as given.

        :raises InvalidInputError: the order cannot succeed as given; a rejected order is
            recorded (ERROR, workflow failed) and its id may be submitted again.
        :raises OrderExistsError: ``order_id`` was used before.
        :param approval: the order waits for a person's approval before it reaches a
            CA (the workers' settings may require one too).
        """
        order_meta = checked_order_meta(order_meta)
        chosen = order_id is not None
        order_id = check_order_id(order_id) if chosen else new_order_id()
        return await submit_order(self.temporal, self.settings, order_meta, order_id,
                                  chosen_id=chosen, approval=approval)

    async def approve(self, order_id: str, note: str = "", by: str | None = None) -> None:
        """Approve an order awaiting approval; it then goes to its CA.

        :raises InvalidInputError: the order is not awaiting approval.
        """
        await approvals.decide(self.temporal, self.settings.temporal_address, order_id,
                               ApprovalDecision(approved=True, note=note,
                                                by=by or approvals.default_approver()))

    async def deny(self, order_id: str, reason: str, by: str | None = None) -> None:
        """Deny an order awaiting approval; it ends ERROR without reaching a CA."""
        await approvals.decide(self.temporal, self.settings.temporal_address, order_id,
                               ApprovalDecision(approved=False, note=reason,
                                                by=by or approvals.default_approver()))

    async def modify(self, order_id: str, changes: Mapping[str, Any]) -> None:
        """Send the ``modify`` signal: ``changes`` are merged into the order's order_meta.

        :raises OrderClosedError: the order has already ended.
        """
        changes = checked_order_meta(changes)
        if not isinstance(changes, Mapping) or not changes:
            raise InvalidInputError("modify needs at least one order_meta change")
        if changes.get("request_data"):
            with plugin_errors():
                load_csr(changes["request_data"])
        await self._signal(order_id, "modify", ModifyRequest(order_meta=dict(changes)))

    async def cancel(self, order_id: str, reason: str = "") -> None:
        """Send the ``cancel`` signal: ask the CA to cancel the pending order.

        :raises OrderClosedError: the order has already ended.
        """
        await self._signal(order_id, "cancel", CancelRequest(reason=reason))

    async def _signal(self, order_id: str, name: str, payload: object) -> None:
        if not await signal_if_running(self.temporal, self.settings.temporal_address,
                                       order_id, name, payload):
            document = await self.status(order_id)
            raise OrderClosedError(
                f"order {order_id} is already {document.status}; nothing to {name}")
