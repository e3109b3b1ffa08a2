"""The activity that claims an order's id in the store, so that an id is used once."""

from __future__ import annotations

from temporalio import activity

from certorder.activities.models import ClaimOrderIdInput, ClaimOrderIdResult
from certorder.activities.store_calls import run_store_call
from certorder.store import CertificateStore


class OrderIdActivities:
    """Order id claims, bound to the worker's store."""

    def __init__(self, store: CertificateStore) -> None:
        self._store = store

    @activity.defn(name="claim_order_id")
    async def claim_order_id(self, request: ClaimOrderIdInput) -> ClaimOrderIdResult:
        """Claim the id for this run; refuse it when an earlier order used it.

        Temporal only refuses a duplicate workflow id while it remembers the first
        workflow; the store remembers for good.
        """
        held = await run_store_call(self._store, self._store.claim_order_id,
                                    request.order_id, request.claimant)
        if held.claimant == request.claimant:
            return ClaimOrderIdResult()
        activity.logger.error("order id %s reused; first used %s", request.order_id,
                              held.first_used_at)
        return ClaimOrderIdResult(refused_reason=(
            f"order id {request.order_id} was already used by an earlier order (first used "
            f"{held.first_used_at:%Y-%m-%d %H:%M:%S} UTC); submit this order with a new id"))
