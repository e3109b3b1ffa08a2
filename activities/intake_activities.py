"""A new order's first step as one call: choose the plugin, then claim the order id.

Both are checks the core makes without the CA (the plugin's own validation, a store
row keyed by the order's first run), so both are safe to repeat: the workflow runs
this as one local activity, which costs one history event instead of two activities'
twelve (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import Executor

from temporalio import activity
from temporalio.exceptions import ApplicationError

from certorder.activities.ca_activities import CaActivities
from certorder.activities.models import (
    AcceptOrderInput,
    AcceptOrderResult,
    ClaimOrderIdInput,
    SelectPluginInput,
)
from certorder.activities.order_id_activities import OrderIdActivities
from certorder.activities.store_calls import STORE_UNAVAILABLE


class IntakeActivities:
    """Selection on the plugin threads, the claim on the store's (never the reverse)."""

    def __init__(self, ca: CaActivities, ids: OrderIdActivities, executor: Executor) -> None:
        self._ca = ca
        self._ids = ids
        self._executor = executor

    @activity.defn(name="accept_order")
    async def accept_order(self, request: AcceptOrderInput) -> AcceptOrderResult:
        """``select_plugin``, then (if it accepted) ``claim_order_id``; a refusal by the
        selection fails the call as ``select_plugin`` does."""
        context = contextvars.copy_context()
        selection = await asyncio.get_running_loop().run_in_executor(
            self._executor, context.run, self._ca.select_plugin,
            SelectPluginInput(order_id=request.order_id, order_meta=request.order_meta))
        if request.claimant is None:
            return AcceptOrderResult(selection=selection)
        try:
            claim = await self._ids.claim_order_id(
                ClaimOrderIdInput(order_id=request.order_id, claimant=request.claimant))
        except ApplicationError as exc:
            if exc.type != STORE_UNAVAILABLE:
                raise
            return AcceptOrderResult(selection=selection, claim_unavailable=exc.message)
        return AcceptOrderResult(selection=selection, claim=claim)
