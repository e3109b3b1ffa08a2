"""One certificate order as one durable workflow, driven by ``workflows.order_fsm``.

The loop: choose the plugin, call ``issue_certificate_request``, then let the state
machine say what comes next: a durable timer (``retry_msec``) that a ``modify`` or
``cancel`` signal can cut short, then the next plugin call, until the order is
``ACTIVE`` or ``ERROR``. Every plugin call is an activity; the workflow itself does
no I/O and reads no clock but ``workflow.now()``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.ca_activities import CaActivities
    from activities.models import (
        PluginCallInput,
        PluginCallResult,
        SelectPluginInput,
        StoreCertificateInput,
    )
    from activities.store_activities import StoreActivities
    from plugins.interface.dto import CoreMetaDTO
    from plugins.interface.status import PluginMethod
    from workflows import WORKFLOW_TYPE
    from workflows import order_presentation as ui
    from workflows import search_attributes as sa
    from workflows.models import (
        CancelRequest,
        ModifyRequest,
        OrderDocument,
        OrderInput,
        OrderSignal,
        OrderState,
        OrderStatus,
        Transition,
    )
    from workflows.order_fsm import IllegalTransition, Outcome, Step, decide

#: Transitions kept in the order document; older ones are counted, not kept, so the
#: state carried across continue-as-new stays small.
MAX_TRANSITIONS = 100

# A plugin call that hangs is abandoned after this long and tried again. Plugin
# *exceptions* are never retried (they end the order); these retries cover workers
# that die or lose their connection, for as long as it takes.
PLUGIN_CALL_TIMEOUT = timedelta(minutes=2)
INFRASTRUCTURE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    backoff_coefficient=2.0,
    maximum_interval=timedelta(minutes=5),
)

_CALLS = {
    PluginMethod.ISSUE: CaActivities.issue_certificate_request,
    PluginMethod.CHECK: CaActivities.check_certificate_status,
    PluginMethod.MODIFY: CaActivities.modify_certificate_request,
    PluginMethod.CANCEL: CaActivities.cancel_certificate_request,
}


# A missing rule in the transition table is a bug, not a reason to retry the workflow
# task forever: it fails the order's workflow so the operator sees it at once.
@workflow.defn(name=WORKFLOW_TYPE, failure_exception_types=[IllegalTransition])
class CertificateOrderWorkflow:
    """A certificate order: ``PENDING`` until the CA's answers make it ACTIVE or ERROR."""

    @workflow.init
    def __init__(self, request: OrderInput) -> None:
        # Built in init, not run: signals may be delivered before run starts.
        self._state = request.carried_state or OrderState(
            document=OrderDocument(order_id=workflow.info().workflow_id),
            order_meta=dict(request.order_meta),
        )
        self._calls_made = len(self._state.document.transitions)

    @property
    def _doc(self) -> OrderDocument:
        return self._state.document

    @workflow.run
    async def run(self, request: OrderInput) -> OrderDocument:
        self._publish()
        if self._doc.plugin_name is None and not await self._select_plugin():
            return self._doc
        while not self._doc.status.is_terminal:
            if workflow.info().is_continue_as_new_suggested():
                await self._continue_as_new()
            method = await self._next_method()
            if method is not None:
                await self._call(method)
        for late in self._state.inbox:
            self._receive(late)  # arrived while the last call ran: recorded as ignored
        self._state.inbox.clear()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._doc

    # -- messages -------------------------------------------------------------------

    @workflow.signal(name="modify")
    def modify(self, request: ModifyRequest) -> None:
        """Change order_meta keys; the plugin's modify method is called next."""
        self._receive(OrderSignal(kind=PluginMethod.MODIFY, order_meta=request.order_meta))

    @workflow.signal(name="cancel")
    def cancel(self, request: CancelRequest) -> None:
        """Ask the CA to cancel; the plugin's cancel method is called next."""
        self._receive(OrderSignal(kind=PluginMethod.CANCEL, reason=request.reason))

    @workflow.query(name="status")
    def status(self) -> OrderDocument:
        """The order document: status, sub-status, next step and history."""
        return self._doc

    def _receive(self, signal: OrderSignal) -> None:
        signal = signal.model_copy(update={"received_at": workflow.now()})
        if self._doc.status.is_terminal:
            # Nothing left to modify or cancel: record it, change nothing.
            self._doc.ignored_signals += 1
            self._record(signal.kind.value, "ignored", f"order is already {self._doc.status}",
                         self._doc.status, self._doc.status)
            return
        self._state.inbox.append(signal)

    # -- steps ----------------------------------------------------------------------

    async def _select_plugin(self) -> bool:
        try:
            chosen = await self._shielded(
                workflow.start_activity_method(
                    CaActivities.select_plugin,
                    SelectPluginInput(order_id=self._doc.order_id,
                                      order_meta=self._state.order_meta),
                    start_to_close_timeout=PLUGIN_CALL_TIMEOUT,
                    retry_policy=INFRASTRUCTURE_RETRY,
                    summary="choose the CA plugin",
                )
            )
        except ActivityError as err:
            self._apply(PluginMethod.ISSUE, Outcome.PLUGIN_RAISED, _error_step(
                self._doc.status, PluginMethod.ISSUE, err, "no plugin can take this order: "))
            return False
        self._doc.plugin_name = chosen.plugin_name
        self._doc.ca_id = self._state.order_meta.get("ca_id")
        self._state.plugin_ca_id = chosen.plugin_ca_id
        self._publish()
        return True

    async def _next_method(self) -> PluginMethod | None:
        """The next plugin method to call: a waiting signal's, else the scheduled one."""
        if not self._state.submitted:
            return self._before_submission()
        if not self._state.inbox:
            await self._wait_for_timer_or_signal()
        if self._state.inbox:
            signal = self._state.inbox.pop(0)
            if signal.kind is PluginMethod.MODIFY:
                self._state.order_meta.update(signal.order_meta)
            return signal.kind
        return self._doc.next_method

    def _before_submission(self) -> PluginMethod | None:
        # Nothing is at the CA yet: a modify simply changes what will be submitted, and
        # a cancel ends the order without bothering the CA.
        while self._state.inbox:
            signal = self._state.inbox.pop(0)
            if signal.kind is PluginMethod.MODIFY:
                self._state.order_meta.update(signal.order_meta)
                self._record(signal.kind.value, "applied before submission",
                             f"changed {', '.join(sorted(signal.order_meta))}",
                             OrderStatus.PENDING, OrderStatus.PENDING)
                continue
            reason = signal.reason or "canceled by the client"
            self._apply(PluginMethod.CANCEL, Outcome.REQUEST_CANCELED, decide(
                self._doc.status, PluginMethod.CANCEL, Outcome.REQUEST_CANCELED,
                message=f"Canceled before submission to the CA: {reason}"))
            return None
        return PluginMethod.ISSUE

    async def _wait_for_timer_or_signal(self) -> None:
        due = self._doc.next_attempt_at
        delay = (due - workflow.now()) if due is not None else timedelta(0)
        if delay <= timedelta(0) or self._doc.next_method is None:
            return
        try:
            await workflow.wait_condition(
                lambda: bool(self._state.inbox),
                timeout=delay,
                timeout_summary=ui.timer_summary(self._doc.next_method, delay),
            )
        except TimeoutError:
            pass
        except asyncio.CancelledError:
            self._cancel_requested_by_temporal()

    def _cancel_requested_by_temporal(self) -> None:
        # The UI's "Cancel" button (or WorkflowHandle.cancel) must reach the CA too; the
        # cancellation is caught and handled like a cancel signal, and the order ends
        # cleanly instead of being abandoned mid-order.
        reason = workflow.cancellation_reason() or "canceled through Temporal"
        self._receive(OrderSignal(kind=PluginMethod.CANCEL, reason=reason))

    async def _call(self, method: PluginMethod) -> None:
        self._calls_made += 1
        call = PluginCallInput(
            order_id=self._doc.order_id,
            plugin_name=self._doc.plugin_name or "",
            order_meta=self._state.order_meta,
            plugin_meta=self._state.plugin_meta,
            core_meta=CoreMetaDTO(plugin_ca_id=self._state.plugin_ca_id),
        )
        try:
            result: PluginCallResult = await self._shielded(
                workflow.start_activity_method(
                    _CALLS[method], call,
                    start_to_close_timeout=PLUGIN_CALL_TIMEOUT,
                    retry_policy=INFRASTRUCTURE_RETRY,
                    summary=ui.activity_summary(method, call.plugin_name, self._calls_made),
                )
            )
        except ActivityError as err:
            self._state.submitted = True
            self._apply(method, Outcome.PLUGIN_RAISED, _error_step(self._doc.status, method, err))
            return
        self._state.submitted = True
        self._state.plugin_meta = result.plugin_meta
        outcome = Outcome.from_status(result.status)
        step = decide(self._doc.status, method, outcome, message=result.status_message,
                      retry_msec=result.retry_msec, retry_method=result.retry_method)
        if step.store_certificate:
            outcome, step = await self._store(method, result, step)
        self._apply(method, outcome, step)

    async def _store(self, method: PluginMethod, result: PluginCallResult,
                     step: Step) -> tuple[Outcome, Step]:
        stored = await self._shielded(
            workflow.start_activity_method(
                StoreActivities.store_certificate,
                StoreCertificateInput(
                    order_id=self._doc.order_id,
                    plugin_name=self._doc.plugin_name or "",
                    ca_id=self._doc.ca_id,
                    certificate=result.certificate or "",
                    intermediates=result.intermediates,
                    csr=self._state.order_meta.get("request_data"),
                ),
                start_to_close_timeout=PLUGIN_CALL_TIMEOUT,
                retry_policy=INFRASTRUCTURE_RETRY,
                summary="check and store the certificate",
            )
        )
        if stored.rejected_reason:
            return Outcome.CERTIFICATE_REJECTED, decide(
                self._doc.status, method, Outcome.CERTIFICATE_REJECTED,
                message=stored.rejected_reason)
        self._doc.container_id = stored.container_id
        return Outcome.CERTIFICATE_GENERATED, step

    async def _shielded(self, handle: Any) -> Any:
        # A Temporal cancel arriving mid-call must not abandon the call: its result
        # (plugin_meta, e.g. the CA's order id) is needed to cancel at the CA.
        try:
            return await asyncio.shield(handle)
        except asyncio.CancelledError:
            self._cancel_requested_by_temporal()
            return await handle

    # -- state ----------------------------------------------------------------------

    def _apply(self, method: PluginMethod, outcome: Outcome, step: Step) -> None:
        doc, before = self._doc, self._doc.status
        doc.status = step.to_status
        doc.sub_status = step.sub_status
        doc.sub_status_message = step.sub_status_message
        doc.next_method = step.next_method
        doc.next_attempt_at = (
            workflow.now() + timedelta(milliseconds=step.delay_msec)
            if step.delay_msec is not None else None
        )
        self._record(method.value, outcome.value, step.sub_status_message, before, doc.status)
        self._publish()

    def _record(self, method: str, result_status: str, message: str | None,
                before: OrderStatus, after: OrderStatus) -> None:
        self._doc.transitions.append(Transition(
            at=workflow.now(), method=method, result_status=result_status,
            message=message, from_status=before, to_status=after))
        overflow = len(self._doc.transitions) - MAX_TRANSITIONS
        if overflow > 0:
            del self._doc.transitions[:overflow]
            self._state.transitions_dropped += overflow

    def _publish(self) -> None:
        doc = self._doc
        workflow.upsert_search_attributes([
            sa.ORDER_STATUS.value_set(doc.status.value),
            sa.ORDER_SUB_STATUS.value_set(doc.sub_status) if doc.sub_status
            else sa.ORDER_SUB_STATUS.value_unset(),
            sa.PLUGIN_NAME.value_set(doc.plugin_name) if doc.plugin_name
            else sa.PLUGIN_NAME.value_unset(),
        ])
        workflow.set_current_details(ui.current_details(doc))

    async def _continue_as_new(self) -> None:
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(OrderInput(carried_state=self._state))


def _error_step(status: OrderStatus, method: PluginMethod, err: ActivityError,
                prefix: str = "") -> Step:
    cause = err.cause
    if isinstance(cause, ApplicationError):
        error_type, message = cause.type or "ApplicationError", cause.message
    else:
        error_type, message = type(cause).__name__, str(cause or err)
    return decide(status, method, Outcome.PLUGIN_RAISED,
                  message=prefix + message, error_type=error_type)
