"""How the order workflow makes one plugin call: an activity with heartbeats, or, for
a plugin that declares ``quick_calls`` (and for the checks of one that declares
``quick_checks``), one local activity that also stores the certificate it generated
(no workflow task between the call and the store write)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from certorder.activities.models import (
        PluginCallInput,
        PluginCallResult,
        QuickCallInput,
        QuickCallResult,
        StoreCertificateInput,
        StoreCertificateResult,
    )
    from certorder.activities.quick_call_activities import QuickCallActivities
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows.order_journal import OrderJournal
    from certorder.workflows.order_steps import needs_csr
    from certorder.workflows.plugin_calls import (
        ORDER_METHODS,
        PLUGIN_CALL_HEARTBEAT_TIMEOUT,
        run_activity,
    )


def runs_locally(journal: OrderJournal, method: PluginMethod, *, one_task: bool) -> bool:
    """Every call of a ``quick_calls`` plugin, the checks of a ``quick_checks`` one:
    never a remote CA's issue, modify or cancel (exactly once, with heartbeats)."""
    state = journal.state
    if not one_task:
        return False
    if state.quick_calls:
        return True
    # Asked only where a check is about to run locally: the patch costs two events
    # (its marker, the SDK's TemporalChangeVersion upsert) once per run, and orders
    # that never check this way never pay them.
    return (method is PluginMethod.CHECK and state.quick_checks
            and workflow.patched("quick-checks"))


async def call_plugin(journal: OrderJournal, method: PluginMethod, call: PluginCallInput, *,
                      quick: bool, timeout: timedelta, on_cancel: Callable[[], None],
                      summary: str, made: QuickCallResult | None = None,
                      ) -> tuple[PluginCallResult, StoreCertificateResult | None]:
    """The call's result, and what the store said of its certificate if the call
    stored it already (only ``quick`` calls do; the store may not have answered).
    ``made``: the call was made already, with the order's first step."""
    if made is not None:
        return made.result, made.stored
    if not quick:
        result = await run_activity(
            ORDER_METHODS[method], call, timeout=timeout,
            heartbeat_timeout=PLUGIN_CALL_HEARTBEAT_TIMEOUT, on_cancel=on_cancel,
            summary=summary, eager=not lacks_plugin(journal, call))
        return result, None
    answer = await run_activity(
        QuickCallActivities.quick_plugin_call,
        QuickCallInput(method=method, call=call, store=store_request(journal)),
        timeout=timeout, on_cancel=on_cancel, summary=summary, local=True)
    return answer.result, answer.stored


def lacks_plugin(journal: OrderJournal, call: PluginCallInput) -> bool:
    """Whether the worker running the order is known to lack its plugin: the last
    call found it missing, or the plugin was chosen there (``validate_first``). Its
    next call must be free to reach another worker, not be dispatched back eagerly."""
    return journal.state.not_on_worker_streak > 0 or call.validate_first


def store_request(journal: OrderJournal,
                  result: PluginCallResult | None = None) -> StoreCertificateInput:
    """The store write of the order's certificate (without ``result``: all but what
    the call's result supplies)."""
    state, doc = journal.state, journal.doc
    return StoreCertificateInput(
        order_id=doc.order_id, plugin_name=doc.plugin_name or "", ca_id=doc.ca_id,
        certificate=result.certificate or "" if result else "",
        intermediates=result.intermediates if result else None,
        csr=state.order_meta.get("request_data") or state.generated_csr,
        order_meta=state.order_meta, plugin_meta=result.plugin_meta if result else None)


def issue_at_once(journal: OrderJournal) -> QuickCallInput | None:
    """The issue call for the order's first step to make as well, if the chosen plugin
    turns out quick (``AcceptOrderInput.issue``): one local activity, and one history
    event, fewer. None where the workflow has something to do before issuing: an
    approval to wait for, a CSR to build, a signal to apply."""
    state, doc = journal.state, journal.doc
    if state.approval is not None or needs_csr(journal) or state.inbox or state.submitted:
        return None
    # As the workflow's own first issue call would be made; the selection's plugin
    # name and CA id are filled in by the activity once it has chosen.
    call = PluginCallInput(order_id=doc.order_id, plugin_name="",
                           order_meta=state.order_meta, plugin_meta=state.plugin_meta)
    store = store_request(journal).model_copy(update={"ca_id": state.order_meta.get("ca_id")})
    return QuickCallInput(method=PluginMethod.ISSUE, call=call, store=store)
