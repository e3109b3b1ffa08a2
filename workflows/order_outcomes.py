"""What a plugin call's failures do to the order: an exception ends it ERROR, a worker
without the plugin makes the same call again later, backing off."""

from __future__ import annotations

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows.backoff import not_on_worker_delay
    from certorder.workflows.models import OrderVerdict
    from certorder.workflows.order_fsm import Outcome, decide
    from certorder.workflows.order_journal import OrderJournal
    from certorder.workflows.plugin_calls import failure_of


def plugin_not_on_worker(journal: OrderJournal, method: PluginMethod, why: str) -> None:
    # Nothing reached the CA: the order stays as it was (a cancel still ends it
    # without the CA) and the same call is made again, backing off while it lasts.
    state = journal.state
    delay = not_on_worker_delay(state.not_on_worker_streak)
    state.not_on_worker_streak += 1
    outcome = Outcome.PLUGIN_NOT_ON_WORKER
    journal.apply(method, outcome, decide(
        journal.doc.status, method, outcome, message=why,
        retry_msec=int(delay.total_seconds() * 1000)))


def plugin_failed(journal: OrderJournal, method: PluginMethod, err: ActivityError,
                  prefix: str = "") -> None:
    """The plugin raised (or the core's own step before it failed): the order ends ERROR."""
    error_type, message = failure_of(err)
    outcome = Outcome.PLUGIN_RAISED
    journal.apply(method, outcome, decide(
        journal.doc.status, method, outcome, message=prefix + message,
        error_type=error_type))


def fails_in_temporal_terms(verdict: OrderVerdict | None, *, one_task: bool) -> bool:
    """Whether an order that ended ERROR fails its run (the UI lists it as Failed).
    Both patches changed what a finished order's run ends with: older runs completed."""
    rejected = verdict is not None and not verdict.accepted
    patch = "rejected-orders-fail" if rejected else "error-orders-fail"
    return one_task or workflow.patched(patch)
