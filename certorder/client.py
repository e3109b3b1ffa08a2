"""The typed client SDK: submit, follow, change and collect certificate orders.

Used by the CLI and by tests; anything else that wants orders should use it too::

    async with await CertOrderClient.connect(load_settings()) as client:
        order_id = await client.submit({"request_type": "simple-cmc", "request_data": pem})
        document = await client.wait(order_id)
        container = await client.get_certificate(order_id)

The workflow is addressed by name only (type, signals, query), so importing this
module does not import the workflow code. Every error a user can cause is a
:class:`~certorder.client_errors.CertOrderError` with a one-line message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.common import SearchAttributePair, TypedSearchAttributes, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from certorder.client_errors import (
    InvalidInputError,
    OrderClosedError,
    OrderExistsError,
    OrderNotFoundError,
    StoreMissingError,
    TemporalUnavailableError,
    plugin_errors,
    temporal_errors,
)
from certorder.client_orders import (
    OrderSummary,
    check_order_id,
    checked_order_meta,
    new_order_id,
    order_summary,
    summary_of,
)
from certorder.client_status import (
    check_order,
    follow_order,
    indexed_document,
    load_plugin_manager,
    missing_certificate_error,
    read_document,
    stored_container,
)
from certorder.plugins.interface.csr import load_csr
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.store import CertificateContainer
from certorder.temporal_client import connect as connect_temporal
from certorder.workflows import WORKFLOW_TYPE
from certorder.workflows.models import (
    CancelRequest,
    ModifyRequest,
    OrderDocument,
    OrderInput,
    OrderStatus,
)
from certorder.workflows.search_attributes import ORDER_STATUS, PLUGIN_NAME

__all__ = ["CertOrderClient", "OrderSummary", "check_order", "load_plugin_manager"]

#: How long a status query may wait for a worker before the order counts as unattended.
QUERY_TIMEOUT = timedelta(seconds=5)


class CertOrderClient:
    """A connection to the order service (Temporal, plus the plugins for pre-checks).

    Build it with :meth:`connect`. Close it (or use ``async with``) to release plugins
    the client loaded itself.
    """

    def __init__(
        self, settings: Settings, temporal: Client, plugins: PluginManager | None = None
    ) -> None:
        self.settings = settings
        self.temporal = temporal
        self._plugins = plugins
        self._owns_plugins = plugins is None
        self.query_timeout = QUERY_TIMEOUT

    @classmethod
    async def connect(
        cls, settings: Settings, plugins: PluginManager | None = None
    ) -> CertOrderClient:
        """Connect to Temporal as configured.

        :param plugins: a ready plugin manager; by default one is built from the
            settings the first time an order needs checking (loading plugins costs).
        :raises TemporalUnavailableError: the frontend cannot be reached.
        """
        try:
            temporal = await connect_temporal(settings)
        except RuntimeError as exc:
            # The Rust core reports a refused connection as a bare RuntimeError.
            raise TemporalUnavailableError(settings.temporal_address) from exc
        return cls(settings, temporal, plugins)

    async def __aenter__(self) -> CertOrderClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the plugin manager if this client built it."""
        if self._owns_plugins and self._plugins is not None:
            self._plugins.close()
            self._plugins = None

    async def plugins(self) -> PluginManager:
        """The plugin manager, loaded on first use (in a thread: plugins may do I/O)."""
        if self._plugins is None:
            self._plugins = await asyncio.to_thread(load_plugin_manager, self.settings)
        return self._plugins

    # -- orders ------------------------------------------------------------------------

    async def submit(self, order_meta: Mapping[str, Any], order_id: str | None = None) -> str:
        """Check an order and start its workflow; returns the order id.

        Every check the plugins can make happens first (request type, CSR signature and
        key, plugin choice, the plugin's own order fields), so a bad order never starts.
        ``order_meta`` is passed on exactly as given: the workflow selects the plugin again.

        :raises InvalidInputError: the order cannot succeed as given.
        :raises OrderExistsError: ``order_id`` was used before.
        """
        order_meta = checked_order_meta(order_meta)
        order_id = check_order_id(order_id) if order_id is not None else new_order_id()
        meta = dict(order_meta) if isinstance(order_meta, Mapping) else order_meta
        manager = await self.plugins()
        selection = await asyncio.to_thread(check_order, manager, meta)
        attributes = TypedSearchAttributes(
            [
                SearchAttributePair(ORDER_STATUS, OrderStatus.PENDING.value),
                SearchAttributePair(PLUGIN_NAME, selection.plugin_name),
            ]
        )
        with temporal_errors(self.settings.temporal_address, order_id):
            try:
                await self.temporal.start_workflow(
                    WORKFLOW_TYPE,
                    OrderInput(
                        order_meta=meta,
                        call_timeout_seconds=self.settings.plugin_call_timeout_seconds,
                    ),
                    id=order_id,
                    task_queue=self.settings.task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    search_attributes=attributes,
                    static_summary=order_summary(order_id, meta, selection.plugin_name),
                )
            except WorkflowAlreadyStartedError:
                raise OrderExistsError(order_id) from None
        return order_id

    async def status(self, order_id: str) -> OrderDocument:
        """The order's document: from the workflow's ``status`` query while it runs,
        from its result once it has ended (no worker needed then).

        :raises OrderNotFoundError: no such order.
        :raises WorkerUnavailableError: the order runs but no worker answered in time.
        """
        return await read_document(
            self.temporal, self.settings.temporal_address, order_id, self.query_timeout
        )

    async def recorded_status(self, order_id: str) -> OrderDocument:
        """The order's status as Temporal last recorded it (no worker needed): status,
        sub-status and plugin only. Use it when :meth:`status` finds no worker."""
        return await indexed_document(self.temporal, self.settings.temporal_address, order_id)

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
        handle = self.temporal.get_workflow_handle(order_id)
        with temporal_errors(self.settings.temporal_address, order_id):
            description = await handle.describe()
            if description.workflow_type != WORKFLOW_TYPE:
                raise OrderNotFoundError(order_id)
            if description.status == WorkflowExecutionStatus.RUNNING:
                try:
                    await handle.signal(name, payload)
                    return
                except RPCError as exc:
                    # It ended between describe and signal: report it as ended.
                    if exc.status != RPCStatusCode.NOT_FOUND:
                        raise
        document = await self.status(order_id)
        raise OrderClosedError(f"order {order_id} is already {document.status}; nothing to {name}")

    async def wait(
        self,
        order_id: str,
        on_change: Callable[[OrderDocument], None] | None = None,
        poll_seconds: float = 1.0,
        *,
        timeout: float | None = None,
        on_stall: Callable[[str], None] | None = None,
    ) -> OrderDocument:
        """Poll the order until it ends; returns its final document.

        :param on_change: called with each document that differs from the last one
            (the first document counts as a change).
        :param timeout: give up after this many seconds (``CertOrderError``).
        :param on_stall: called with a one-line message when no worker answers; the
            wait goes on, since a worker may start later.
        """
        return await follow_order(
            lambda: self.status(order_id), order_id, on_change=on_change,
            poll_seconds=poll_seconds, timeout=timeout, on_stall=on_stall,
        )

    async def list_orders(
        self, status: OrderStatus | None = None, limit: int = 100
    ) -> list[OrderSummary]:
        """Orders known to Temporal's visibility store, newest first.

        :param status: only orders whose status search attribute has this value.
        """
        query = f"WorkflowType = '{WORKFLOW_TYPE}'"
        if status is not None:
            query += f" AND {ORDER_STATUS.name} = '{OrderStatus(status).value}'"
        rows: list[OrderSummary] = []
        with temporal_errors(self.settings.temporal_address):
            async for execution in self.temporal.list_workflows(query, limit=limit):
                rows.append(summary_of(execution))
        return rows

    async def get_certificate(self, order_id: str) -> CertificateContainer:
        """The issued certificate (and chain) of an order, from the certificate store.

        :raises CertOrderError: the order has none; the message says why (no such
            order, still pending, ended in error or canceled).
        """
        check_order_id(order_id)
        try:
            container = await asyncio.to_thread(stored_container, self.settings, order_id)
        except StoreMissingError:
            # Temporal may still say why there is no certificate (pending, failed);
            # an order that stored one points at the missing store.
            document = await self.status(order_id)
            if document.container_id:
                raise
            raise missing_certificate_error(order_id, document) from None
        if container is not None:
            return container
        raise missing_certificate_error(order_id, await self.status(order_id))
