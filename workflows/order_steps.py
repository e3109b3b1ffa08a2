"""The order's core steps around the plugin calls: claiming its id for good, building a
stored-key order's CSR, and storing the certificate (retried by the workflow while the
store is down, so the order can say so)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.key_activities import KeyActivities
    from certorder.activities.key_models import BuildCsrInput
    from certorder.activities.models import (
        ClaimOrderIdInput,
        StoreCertificateInput,
        StoreCertificateResult,
    )
    from certorder.activities.order_id_activities import OrderIdActivities
    from certorder.activities.store_activities import StoreActivities
    from certorder.plugins.interface.status import CertificateRequestType
    from certorder.workflows.order_journal import OrderJournal
    from certorder.workflows.plugin_calls import run_activity
    from certorder.workflows.store_calls import run_store_activity


async def claim_order_id(journal: OrderJournal, *, on_cancel: Callable[[], None],
                         one_task: bool = False) -> None:
    """Refuse an order id used before, even by an order Temporal has forgotten.

    Temporal refuses a duplicate workflow id only within its retention period; after
    it, a reused id would otherwise take the old order's certificate. ``one_task``: an
    order of the "one-task-order" patch (younger than this one; local activities).
    """
    if not one_task and not workflow.patched("claim-order-id"):
        return  # replaying an order that started before ids were claimed
    claim = await run_store_activity(
        OrderIdActivities.claim_order_id,
        # The chain's first run: the same across retries, resets and continue-as-new.
        ClaimOrderIdInput(order_id=journal.doc.order_id,
                          claimant=workflow.info().first_execution_run_id),
        summary="check that the order id is new", doing="checking the order id",
        on_unavailable=journal.show_waiting, on_cancel=on_cancel, local=one_task)
    if claim.refused_reason:
        journal.refuse("claim_order_id", "order id reused", claim.refused_reason)


def needs_csr(journal: OrderJournal) -> bool:
    state = journal.state
    return (state.order_meta.get("request_type") == CertificateRequestType.STORED_KEY
            and state.generated_csr is None and not journal.doc.status.is_terminal)


async def build_csr(journal: OrderJournal, *, timeout: timedelta,
                    on_cancel: Callable[[], None]) -> ActivityError | None:
    """stored-key: a worker builds the CSR from the key it keeps; only the key id and
    the CSR (public) pass through history. Returns the failure, if it failed."""
    meta = journal.state.order_meta
    request = BuildCsrInput(key_id=meta["key_id"], dns_names=meta.get("dns_names", []),
                            ip_addresses=meta.get("ip_addresses", []),
                            common_name=meta.get("common_name"))
    try:
        journal.state.generated_csr = await run_activity(
            KeyActivities.build_csr, request, timeout=timeout,
            summary=f"build the CSR from stored key {request.key_id}", on_cancel=on_cancel)
    except ActivityError as err:
        return err
    return None


async def store_certificate(journal: OrderJournal, request: StoreCertificateInput, *,
                            timeout: timedelta,
                            on_cancel: Callable[[], None],
                            one_task: bool = False) -> StoreCertificateResult:
    """``one_task``: as in :func:`claim_order_id`; the store write is idempotent by
    order id, so a local activity (run again after a worker crash) is safe."""
    if not one_task and not workflow.patched("store-retried-by-workflow"):
        # Orders recorded before: Temporal retried the store activity itself.
        return await run_activity(
            StoreActivities.store_certificate, request,
            summary="check and store the certificate", timeout=timeout, on_cancel=on_cancel)
    return await run_store_activity(
        StoreActivities.store_certificate, request,
        summary="check and store the certificate", doing="storing the certificate",
        on_unavailable=journal.show_waiting, on_cancel=on_cancel, local=one_task)
