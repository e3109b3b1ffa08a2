"""The order's first step: a worker checks it and chooses its plugin, with the worker's
own plugins; the verdict goes back to the client that is waiting on the ``verdict``
update (update-with-start).

Orders of the "one-task-order" patch do it in one local activity that also claims
the order id (:func:`accept_order`); older histories replay :func:`select_plugin`
(an activity), then ``order_steps.claim_order_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.ca_activities import CaActivities
    from certorder.activities.intake_activities import IntakeActivities
    from certorder.activities.models import (
        AcceptOrderInput,
        QuickCallInput,
        QuickCallResult,
        SelectPluginInput,
        SelectPluginResult,
    )
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows.models import OrderVerdict
    from certorder.workflows.order_fsm import Outcome, decide
    from certorder.workflows.order_journal import OrderJournal
    from certorder.workflows.order_steps import claim_order_id
    from certorder.workflows.plugin_calls import failure_of, run_activity


async def select_plugin(journal: OrderJournal, *, timeout: timedelta,
                        on_cancel: Callable[[], None]) -> OrderVerdict:
    """Choose the plugin and record the choice; a refused order ends ERROR here."""
    state, doc = journal.state, journal.doc
    try:
        chosen = await run_activity(
            CaActivities.select_plugin,
            SelectPluginInput(order_id=doc.order_id, order_meta=state.order_meta),
            summary="choose the CA plugin", timeout=timeout, on_cancel=on_cancel)
    except ActivityError as err:
        return _rejected(journal, err)
    return _chosen(journal, chosen)


async def accept_order(journal: OrderJournal, *, timeout: timedelta,
                       on_cancel: Callable[[], None], issue: QuickCallInput | None = None,
                       ) -> tuple[OrderVerdict, QuickCallResult | None]:
    """Choose the plugin and claim the order id in one local activity (and make
    ``issue`` too, if the plugin is quick: its result is returned, for the workflow's
    first call); a refused order ends ERROR here (its id never claimed), a reused id
    just after."""
    doc = journal.doc
    try:
        accepted = await run_activity(
            IntakeActivities.accept_order,
            AcceptOrderInput(order_id=doc.order_id, order_meta=journal.state.order_meta,
                             claimant=workflow.info().first_execution_run_id, issue=issue),
            summary="choose the CA plugin and claim the order id", timeout=timeout,
            on_cancel=on_cancel, local=True)
    except ActivityError as err:
        return _rejected(journal, err), None
    verdict = _chosen(journal, accepted.selection)
    if accepted.claim_unavailable:
        # The store did not answer: claim again, showing that the order waits for it.
        await claim_order_id(journal, on_cancel=on_cancel, one_task=True)
    elif accepted.claim is not None and accepted.claim.refused_reason:
        journal.refuse("claim_order_id", "order id reused", accepted.claim.refused_reason)
    # Histories recorded before the activity could issue replay with no result here.
    return verdict, accepted.issued


def _rejected(journal: OrderJournal, err: ActivityError) -> OrderVerdict:
    error_type, message = failure_of(err)
    outcome = Outcome.ORDER_REJECTED
    journal.apply(PluginMethod.ISSUE, outcome, decide(
        journal.doc.status, PluginMethod.ISSUE, outcome, message=message,
        error_type=error_type))
    return OrderVerdict(accepted=False, message=message)


def _chosen(journal: OrderJournal, chosen: SelectPluginResult) -> OrderVerdict:
    state, doc = journal.state, journal.doc
    doc.plugin_name = chosen.plugin_name
    doc.subject, doc.sans = chosen.subject, chosen.sans
    doc.ca_id = state.order_meta.get("ca_id")
    state.plugin_ca_id = chosen.plugin_ca_id
    state.quick_calls = chosen.quick_calls
    state.quick_checks = chosen.quick_checks
    # Installed here but not enabled: the plugin's own checks wait for a worker with it.
    state.validate_first = chosen.not_on_worker is not None
    state.approval = state.approval or chosen.approval
    journal.publish()
    return OrderVerdict(accepted=True, plugin_name=chosen.plugin_name,
                        message=chosen.not_on_worker, waiting=chosen.not_on_worker is not None)
