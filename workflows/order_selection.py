"""The order's first step: a worker checks it and chooses its plugin, with the worker's
own plugins; the verdict goes back to the client that is waiting on the ``verdict``
update (update-with-start)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.ca_activities import CaActivities
    from certorder.activities.models import SelectPluginInput
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows.models import OrderVerdict
    from certorder.workflows.order_fsm import Outcome, decide
    from certorder.workflows.order_journal import OrderJournal
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
        error_type, message = failure_of(err)
        outcome = Outcome.ORDER_REJECTED
        journal.apply(PluginMethod.ISSUE, outcome, decide(
            doc.status, PluginMethod.ISSUE, outcome, message=message, error_type=error_type))
        return OrderVerdict(accepted=False, message=message)
    doc.plugin_name = chosen.plugin_name
    doc.subject, doc.sans = chosen.subject, chosen.sans
    doc.ca_id = state.order_meta.get("ca_id")
    state.plugin_ca_id = chosen.plugin_ca_id
    # Installed here but not enabled: the plugin's own checks wait for a worker with it.
    state.validate_first = chosen.not_on_worker is not None
    state.approval = state.approval or chosen.approval
    journal.publish()
    return OrderVerdict(accepted=True, plugin_name=chosen.plugin_name,
                        message=chosen.not_on_worker, waiting=chosen.not_on_worker is not None)
