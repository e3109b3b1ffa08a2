"""Modify and cancel signals waiting in the order's inbox, and what each does.

Before anything reached the CA, a modify changes what will be submitted and a cancel
ends the order without troubling the CA; afterwards each becomes the plugin's
``modify_certificate_request`` / ``cancel_certificate_request`` call.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows.models import OrderStatus
    from certorder.workflows.order_fsm import Outcome, decide
    from certorder.workflows.order_journal import OrderJournal


def take_signal(journal: OrderJournal) -> tuple[PluginMethod, str]:
    """The oldest waiting signal, applied: its plugin method and a note for its
    transition (what a modify changed, why a cancel)."""
    state, doc = journal.state, journal.doc
    signal = state.inbox.pop(0)
    if signal.kind is PluginMethod.MODIFY:
        state.order_meta.update(signal.order_meta)
        return signal.kind, f"changed {', '.join(sorted(signal.order_meta))}"
    doc.cancel_reason = signal.reason or None
    return signal.kind, f"reason: {signal.reason}" if signal.reason else ""


def apply_before_submission(journal: OrderJournal) -> PluginMethod | None:
    """Apply every waiting signal of an order that has not reached the CA; returns the
    first call to make, or None when a cancel ended the order."""
    state, doc = journal.state, journal.doc
    while state.inbox:
        signal = state.inbox.pop(0)
        if signal.kind is PluginMethod.MODIFY:
            state.order_meta.update(signal.order_meta)
            journal.record(signal.kind.value, "applied before submission",
                           f"changed {', '.join(sorted(signal.order_meta))}",
                           OrderStatus.PENDING, OrderStatus.PENDING)
            continue
        doc.cancel_reason = signal.reason or None
        message = f"Canceled before submission to the CA: {signal.reason or 'by the client'}"
        journal.apply(PluginMethod.CANCEL, Outcome.REQUEST_CANCELED, decide(
            doc.status, PluginMethod.CANCEL, Outcome.REQUEST_CANCELED, message=message))
        return None
    return PluginMethod.ISSUE
