"""Reading certificate orders: their documents, waiting for the end, listing, the certificate.

The half of :class:`certorder.client.CertOrderClient` that changes nothing; the client
inherits it, so callers use ``client.status(...)`` etc. as always. It needs the
client's Temporal connection, settings and ``query_timeout``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio.client import Client

from certorder.client_errors import StoreMissingError
from certorder.client_orders import OrderSummary, check_order_id, list_order_rows
from certorder.client_status import (
    follow_order,
    indexed_document,
    missing_certificate_error,
    read_document,
    stored_container,
)
from certorder.settings import Settings
from certorder.store import CertificateContainer
from certorder.workflows.models import OrderDocument, OrderStatus

__all__ = ["OrderReads"]


class OrderReads:
    """Order status, waiting, listing and certificates, for :class:`CertOrderClient`."""

    settings: Settings
    temporal: Client
    query_timeout: timedelta

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

        :param status: only orders in this status. An order whose workflow was ended
            from outside (terminated, timed out) is ERROR, whatever its last recorded
            status attribute says.
        """
        return await list_order_rows(self.temporal, self.settings.temporal_address,
                                     status, limit)

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
