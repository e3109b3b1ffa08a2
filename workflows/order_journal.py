"""The order's record inside its workflow: state changes, transitions, and what the UI shows.

Every change of an order goes through :meth:`OrderJournal.apply` or
:meth:`OrderJournal.record`, so the transition log, the search attributes and the
UI's "Current details" can never disagree with the order document.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows import order_presentation as ui
    from certorder.workflows import order_telemetry as telemetry
    from certorder.workflows import search_attributes as sa
    from certorder.workflows.models import (
        OrderDocument,
        OrderSignal,
        OrderState,
        OrderStatus,
        Transition,
    )
    from certorder.workflows.order_fsm import Outcome, Step

#: Transitions kept in the order document; older ones are counted, not kept, so the
#: state carried across continue-as-new stays small.
MAX_TRANSITIONS = 100


class OrderJournal:
    """Owns the order's :class:`OrderState` and publishes every change of it."""

    def __init__(self, state: OrderState) -> None:
        self.state = state
        #: Upsert only the search attributes that changed (orders since the
        #: "one-task-order" patch); older histories upserted all four every time.
        self.changes_only = False
        # A continued run was counted by the run that chose the plugin.
        self._start_counted = state.document.plugin_name is not None

    @property
    def doc(self) -> OrderDocument:
        return self.state.document

    def apply(self, method: PluginMethod, outcome: Outcome, step: Step,
              note: str | None = None) -> None:
        """Move the order as the state machine decided; ``note`` (what a modify changed,
        why a cancel) leads the transition's message."""
        doc, before = self.doc, self.doc.status
        doc.status = step.to_status
        doc.sub_status = step.sub_status
        doc.sub_status_message = step.sub_status_message
        doc.next_method = step.next_method
        doc.next_attempt_at = (
            workflow.now() + timedelta(milliseconds=step.delay_msec)
            if step.delay_msec is not None else None
        )
        message = "; ".join(part for part in (note, step.sub_status_message) if part) or None
        self.record(method.value, outcome.value, message, before, doc.status)
        self.publish()

    def refuse(self, step: str, sub_status: str, message: str) -> None:
        """End the order in ERROR before any plugin call: the core itself refuses it
        (no plugin outcome exists yet for the state machine to look up)."""
        doc, before = self.doc, self.doc.status
        doc.status = OrderStatus.ERROR
        doc.sub_status, doc.sub_status_message = sub_status, message
        doc.next_method, doc.next_attempt_at = None, None
        self.record(step, "refused", message, before, doc.status)
        self.publish()

    def show_waiting(self, sub_status: str | None, message: str | None) -> None:
        """Say what the order waits for, or (None) that it waits no more; no transition
        is recorded, since nothing happened to the order yet."""
        if (self.doc.sub_status, self.doc.sub_status_message) != (sub_status, message):
            self.doc.sub_status, self.doc.sub_status_message = sub_status, message
            self.publish()

    def receive(self, signal: OrderSignal) -> None:
        """Queue a modify/cancel, or record it as ignored once the order is finished."""
        signal = signal.model_copy(update={"received_at": workflow.now()})
        if self.doc.status.is_terminal:
            self.doc.ignored_signals += 1
            self.record(signal.kind.value, "ignored", f"order is already {self.doc.status}",
                        self.doc.status, self.doc.status)
            return
        self.state.inbox.append(signal)

    def record(self, method: str, result_status: str, message: str | None,
               before: OrderStatus, after: OrderStatus) -> None:
        """Append one transition, keeping the last :data:`MAX_TRANSITIONS`."""
        self.doc.transitions.append(Transition(
            at=workflow.now(), method=method, result_status=result_status,
            message=message, from_status=before, to_status=after))
        overflow = len(self.doc.transitions) - MAX_TRANSITIONS
        if overflow > 0:
            del self.doc.transitions[:overflow]
            self.state.transitions_dropped += overflow
        telemetry.transition(self.doc, method, result_status, message, before)

    def publish(self) -> None:
        """Search attributes (for filtering) and current details (for reading) in the UI."""
        doc = self.doc
        if not self._start_counted and (doc.plugin_name or doc.status.is_terminal):
            self._start_counted = True
            telemetry.order_started(doc)
        wanted = {sa.ORDER_STATUS: doc.status.value, sa.ORDER_SUB_STATUS: doc.sub_status,
                  sa.PLUGIN_NAME: doc.plugin_name, sa.NEXT_ATTEMPT: doc.next_attempt_at}
        if self.changes_only:
            # Each upsert is a history event: skip what the client set at start or an
            # earlier upsert already holds (the workflow's info tracks both). No plugin
            # name yet means not chosen yet: the one the client named stands till then.
            now = workflow.info().typed_search_attributes
            wanted = {key: value for key, value in wanted.items()
                      if now.get(key) != (value or None)
                      and (value or key is not sa.PLUGIN_NAME)}
        if wanted:
            workflow.upsert_search_attributes([
                key.value_set(value) if value else key.value_unset()
                for key, value in wanted.items()])
        workflow.set_current_details(ui.current_details(doc, workflow.now()))
