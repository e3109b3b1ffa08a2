"""Gauges that describe the whole fleet, refreshed by each worker every interval.

Every worker that refreshes them reports the same values (they come from Temporal's
visibility and the shared store, not from the worker), so dashboards aggregate them
with ``max``, never ``sum``. One refresh costs one visibility listing of the pending
orders, one of the managed certificates plus a ``state`` query each, and a store read
of the certificate ids (and of the certificates new since the last refresh); each is
bounded by ``metrics_scan_limit``. ``metrics_refresh_seconds = 0`` turns it off on a
worker, so that a large fleet can leave it to a few.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

from temporalio.client import Client
from temporalio.common import MetricMeter

from certorder.metrics.expiry import ExpiryScanner
from certorder.workflows import WORKFLOW_TYPE
from certorder.workflows import search_attributes as sa
from certorder.workflows.managed_models import (
    MANAGED_WORKFLOW_TYPE,
    ManagedCertificate,
    ManagedStatus,
)

log = logging.getLogger(__name__)

ORDERS_PENDING = "certorder_orders_pending"
CERTIFICATES_EXPIRING = "certorder_certificates_expiring"
RENEWALS_DUE = "certorder_renewals_due"
RENEWALS_OVERDUE = "certorder_renewals_overdue"
#: Managed certificates whose renewal has failed or whose certificate has run out.
_OVERDUE = (ManagedStatus.RENEWAL_FAILING, ManagedStatus.EXPIRED)
_QUERIES_AT_ONCE = 8
_QUERY_TIMEOUT = 5.0


class FleetGauges:
    """Reads the fleet's state and sets the ``certorder_*`` fleet gauges."""

    def __init__(self, client: Client, meter: MetricMeter, expiry: ExpiryScanner, *,
                 expiry_days: int, scan_limit: int) -> None:
        self._client = client
        self._expiry = expiry
        self._within = timedelta(days=expiry_days)
        self._window_label = {"within_days": str(expiry_days)}
        self._limit = scan_limit
        self._pending = meter.create_gauge(
            ORDERS_PENDING, "Orders PENDING now, by plugin and sub-status (fleet-wide)")
        self._expiring = meter.create_gauge(
            CERTIFICATES_EXPIRING, "Stored certificates, not revoked, expiring within the "
            "window (fleet-wide)")
        self._due = meter.create_gauge(
            RENEWALS_DUE, "Managed certificates whose renewal time has come (fleet-wide)")
        self._overdue = meter.create_gauge(
            RENEWALS_OVERDUE, "Managed certificates whose renewal is failing or whose "
            "certificate has expired (fleet-wide)")
        self._pending_labels: set[tuple[str, str]] = set()

    async def refresh(self) -> None:
        """One refresh of every gauge; a part that fails keeps its last value."""
        for part in (self._refresh_pending, self._refresh_expiring, self._refresh_renewals):
            try:
                await part()
            except Exception as exc:  # noqa: BLE001 - a gauge must never stop the worker
                log.warning("metrics: %s failed: %s", part.__name__.removeprefix("_"), exc)

    async def _refresh_pending(self) -> None:
        query = (f"WorkflowType = '{WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND "
                 f"{sa.ORDER_STATUS.name} = 'PENDING'")
        counts: Counter[tuple[str, str]] = Counter()
        async for execution in self._client.list_workflows(query, limit=self._limit):
            attributes = execution.typed_search_attributes
            counts[(attributes.get(sa.PLUGIN_NAME) or "none",
                    attributes.get(sa.ORDER_SUB_STATUS) or "")] += 1
        # A label set seen before and gone now must read 0, not its last value.
        for plugin, sub_status in self._pending_labels | set(counts):
            self._pending.set(counts[(plugin, sub_status)],
                              {"plugin": plugin, "sub_status": sub_status})
        self._pending_labels |= set(counts)

    async def _refresh_expiring(self) -> None:
        count = await asyncio.to_thread(self._expiry.count_expiring, datetime.now(UTC),
                                        self._within)
        self._expiring.set(count, self._window_label)

    async def _refresh_renewals(self) -> None:
        query = f"WorkflowType = '{MANAGED_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'"
        ids = [execution.id async for execution in
               self._client.list_workflows(query, limit=self._limit)]
        slots = asyncio.Semaphore(_QUERIES_AT_ONCE)

        async def state(workflow_id: str) -> ManagedCertificate | None:
            async with slots:
                try:
                    return await asyncio.wait_for(self._client.get_workflow_handle(
                        workflow_id).query("state", result_type=ManagedCertificate),
                        _QUERY_TIMEOUT)
                except Exception:  # noqa: BLE001 - ended meanwhile, or no worker answered
                    return None

        states = [s for s in await asyncio.gather(*(state(i) for i in ids)) if s is not None]
        now = datetime.now(UTC)
        self._due.set(sum(1 for s in states if _renewal_due(s, now)))
        self._overdue.set(sum(1 for s in states if s.status in _OVERDUE))


def _renewal_due(managed: ManagedCertificate, now: datetime) -> bool:
    if managed.status in (ManagedStatus.RENEWING, *_OVERDUE):
        return True
    return (managed.status is ManagedStatus.ACTIVE and managed.next_renewal_at is not None
            and managed.next_renewal_at <= now)


async def refresh_periodically(gauges: FleetGauges, interval: float) -> None:
    """Refresh now and then every ``interval`` seconds, until cancelled."""
    while True:
        await gauges.refresh()
        await asyncio.sleep(interval)
