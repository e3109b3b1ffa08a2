"""A new order's first step as one call: choose the plugin, then claim the order id,
and, for a quick plugin (``quick_calls``), make the issue call too.

The first two are checks the core makes without the CA (the plugin's own validation,
a store row keyed by the order's first run), and a quick plugin's calls are safe to
repeat by its own declaration, so all of it is: the workflow runs this as one local
activity, one history event for what once took three activities (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from concurrent.futures import Executor

from temporalio import activity
from temporalio.exceptions import ApplicationError

from certorder.activities.ca_activities import CaActivities
from certorder.activities.models import (
    AcceptOrderInput,
    AcceptOrderResult,
    ClaimOrderIdInput,
    ClaimOrderIdResult,
    QuickCallInput,
    QuickCallResult,
    SelectPluginInput,
    SelectPluginResult,
)
from certorder.activities.order_id_activities import OrderIdActivities
from certorder.activities.quick_call_activities import QuickCallActivities
from certorder.activities.store_calls import STORE_UNAVAILABLE
from certorder.plugins.interface.dto import CoreMetaDTO

log = logging.getLogger(__name__)


class IntakeActivities:
    """Selection on the plugin threads, the claim on the store's (never the reverse)."""

    def __init__(self, ca: CaActivities, ids: OrderIdActivities, quick: QuickCallActivities,
                 executor: Executor) -> None:
        self._ca = ca
        self._ids = ids
        self._quick = quick
        self._executor = executor

    @activity.defn(name="accept_order")
    async def accept_order(self, request: AcceptOrderInput) -> AcceptOrderResult:
        """``select_plugin``, then (if it accepted) ``claim_order_id``, then (if asked
        and allowed) the issue call; a refusal by the selection fails the call as
        ``select_plugin`` does."""
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
        issued = None
        if request.issue is not None and _may_issue_at_once(selection, claim):
            issued = await self._issue(request.issue, selection)
        return AcceptOrderResult(selection=selection, claim=claim, issued=issued)

    async def _issue(self, template: QuickCallInput,
                     selection: SelectPluginResult) -> QuickCallResult | None:
        call = template.call.model_copy(update={
            "plugin_name": selection.plugin_name,
            "core_meta": CoreMetaDTO(plugin_ca_id=selection.plugin_ca_id)})
        store = (template.store.model_copy(update={"plugin_name": selection.plugin_name})
                 if template.store is not None else None)
        try:
            return await self._quick.quick_plugin_call(
                template.model_copy(update={"call": call, "store": store}))
        except Exception:  # noqa: BLE001 - made again, on its own, by the workflow
            # The workflow then makes the issue call by itself, and a plugin's failure
            # is reported from there as every call's is; a quick call is repeat-safe.
            log.debug("issue at once of order %s failed; the workflow makes it again",
                      call.order_id, exc_info=True)
            return None


def _may_issue_at_once(selection: SelectPluginResult, claim: ClaimOrderIdResult) -> bool:
    # What the workflow would otherwise find before its issue call: a plugin not on
    # this worker (an activity any worker with it takes), an approval, a reused id.
    return (selection.quick_calls and selection.not_on_worker is None
            and selection.approval is None and not claim.refused_reason)
