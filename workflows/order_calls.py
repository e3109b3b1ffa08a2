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
        StoreCertificateInput,
        StoreCertificateResult,
    )
    from certorder.activities.quick_call_activities import QuickCallActivities
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows.order_journal import OrderJournal
    from certorder.workflows.plugin_calls import (
        ORDER_METHODS,
        PLUGIN_CALL_HEARTBEAT_TIMEOUT,
        run_activity,
    )


async def call_plugin(journal: OrderJournal, method: PluginMethod, call: PluginCallInput, *,
                      quick: bool, timeout: timedelta, on_cancel: Callable[[], None],
                      summary: str) -> tuple[PluginCallResult, StoreCertificateResult | None]:
    """The call's result, and what the store said of its certificate if the call
    stored it already (only ``quick`` calls do; the store may not have answered)."""
    if not quick:
        result = await run_activity(
            ORDER_METHODS[method], call, timeout=timeout,
            heartbeat_timeout=PLUGIN_CALL_HEARTBEAT_TIMEOUT, on_cancel=on_cancel,
            summary=summary)
        return result, None
    answer = await run_activity(
        QuickCallActivities.quick_plugin_call,
        QuickCallInput(method=method, call=call, store=store_request(journal)),
        timeout=timeout, on_cancel=on_cancel, summary=summary, local=True)
    return answer.result, answer.stored


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
