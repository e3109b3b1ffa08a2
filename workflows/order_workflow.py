"""One certificate order as one durable workflow, driven by ``certorder.workflows.order_fsm``.

The loop: choose the plugin, call ``issue_certificate_request``, then let the state
machine say what comes next: a durable timer (``retry_msec``) that a ``modify`` or
``cancel`` signal cuts short, then the next plugin call, until the order is
``ACTIVE`` or ``ERROR``. Every plugin call is an activity (a local one, storing the
certificate in the same call, for a plugin that declares ``quick_calls``, and for the
checks of one that declares ``quick_checks``); the workflow itself does no I/O and
reads no clock but ``workflow.now()``.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.models import PluginCallInput, QuickCallResult
    from certorder.plugins.interface.dto import CoreMetaDTO
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows import WORKFLOW_TYPE
    from certorder.workflows import order_calls as calls
    from certorder.workflows import order_outcomes as outcomes
    from certorder.workflows import order_presentation as ui
    from certorder.workflows.models import (
        ApprovalDecision,
        CancelRequest,
        ModifyRequest,
        OrderDocument,
        OrderInput,
        OrderSignal,
        OrderState,
        OrderStatus,
        OrderVerdict,
    )
    from certorder.workflows.order_approval import ApprovalGate
    from certorder.workflows.order_fsm import IllegalTransition, Outcome, decide
    from certorder.workflows.order_inbox import apply_before_submission, take_signal
    from certorder.workflows.order_journal import OrderJournal
    from certorder.workflows.order_selection import accept_order, select_plugin
    from certorder.workflows.order_steps import (
        build_csr,
        claim_order_id,
        needs_csr,
        store_certificate,
    )

# A missing rule in the transition table is a bug, not a reason to retry the workflow
# task forever: it fails the order's workflow, so an operator sees it at once.
@workflow.defn(name=WORKFLOW_TYPE, failure_exception_types=[IllegalTransition])
class CertificateOrderWorkflow:
    """A certificate order: ``PENDING`` until the CA's answers make it ACTIVE or ERROR."""

    @workflow.init
    def __init__(self, request: OrderInput) -> None:
        # Built in init, not in run: signals may be delivered before run starts.
        self._journal = OrderJournal(request.carried_state or OrderState(
            document=OrderDocument(order_id=workflow.info().workflow_id,
                                   created_at=workflow.info().start_time),
            order_meta=dict(request.order_meta),
            call_timeout_seconds=request.call_timeout_seconds,
            approval=request.approval,
        ))
        self._approval = ApprovalGate(self._journal)
        self._state = self._journal.state
        self._doc = self._journal.doc
        self._calls_made = len(self._doc.transitions)
        self._one_task = False  # decided first thing in run (a patch)
        #: What the signal behind the next call asked for, for its transition.
        self._note: str | None = None
        #: The first issue call, made already by the order's first step (quick plugins).
        self._issued: QuickCallResult | None = None
        # A continued run was accepted long ago; a new one answers once it has chosen.
        self._verdict: OrderVerdict | None = (
            OrderVerdict(accepted=True, plugin_name=self._doc.plugin_name)
            if self._doc.plugin_name else None)

    @workflow.run
    async def run(self, request: OrderInput) -> OrderDocument:
        # Local activities and changed-only upserts: an order issued at once is one
        # workflow task. Implies every older patch (none is asked for, each would cost
        # a marker event); older histories replay the path they recorded.
        self._one_task = self._journal.changes_only = workflow.patched("one-task-order")
        self._journal.publish()
        if self._doc.plugin_name is None and self._one_task:
            self._verdict, self._issued = await accept_order(
                self._journal, timeout=self._call_timeout,
                on_cancel=self._canceled_by_temporal, issue=calls.issue_at_once(self._journal))
        elif self._doc.plugin_name is None:
            self._verdict = await select_plugin(self._journal, timeout=self._call_timeout,
                                                on_cancel=self._canceled_by_temporal)
        if (not self._one_task and request.carried_state is None
                and not self._doc.status.is_terminal):
            # After selection: an order refused there never used its id.
            await claim_order_id(self._journal, on_cancel=self._canceled_by_temporal)
        if self._approval.waiting and not self._doc.status.is_terminal:
            await self._approval.wait(on_cancel=self._canceled_by_temporal)
        if needs_csr(self._journal) and (self._one_task or workflow.patched("stored-key-csr")):
            failure = await build_csr(self._journal, timeout=self._call_timeout,
                                      on_cancel=self._canceled_by_temporal)
            if failure is not None:
                outcomes.plugin_failed(self._journal, PluginMethod.ISSUE, failure,
                              "cannot build the CSR: ")
        while not self._doc.status.is_terminal:
            if workflow.info().is_continue_as_new_suggested() and self._issued is None:
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(OrderInput(carried_state=self._state))
            method = await self._next_method()
            if method is not None:
                await self._call(method)
        for late in self._state.inbox:
            self._journal.receive(late)  # came while the last call ran: recorded as ignored
        self._state.inbox.clear()
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._doc.status is OrderStatus.ERROR and outcomes.fails_in_temporal_terms(
                self._verdict, one_task=self._one_task):
            # The UI lists it as Failed, with the sub-status as error type; the details
            # carry the order document, which clients read as they read a result.
            raise ApplicationError(f"{self._doc.sub_status}: {self._doc.sub_status_message}",
                                   self._doc, type=self._doc.sub_status, non_retryable=True)
        return self._doc

    @property
    def _call_timeout(self) -> timedelta:
        return timedelta(seconds=self._state.call_timeout_seconds)

    @workflow.signal(name="modify")
    def modify(self, request: ModifyRequest) -> None:
        """Change order_meta keys; the plugin's modify method is called next."""
        self._journal.receive(OrderSignal(kind=PluginMethod.MODIFY,
                                          order_meta=request.order_meta))

    @workflow.signal(name="cancel")
    def cancel(self, request: CancelRequest) -> None:
        """Ask the CA to cancel; the plugin's cancel method is called next."""
        self._journal.receive(OrderSignal(kind=PluginMethod.CANCEL, reason=request.reason))

    @workflow.signal(name="approve")
    def approve(self, decision: ApprovalDecision) -> None:
        """A person approves the order awaiting approval (``certorder order approve``)."""
        self._approval.decide(decision.model_copy(update={"approved": True}))

    @workflow.signal(name="deny")
    def deny(self, decision: ApprovalDecision) -> None:
        """A person denies the order awaiting approval; it ends ERROR."""
        self._approval.decide(decision.model_copy(update={"approved": False}))

    @workflow.update(name="verdict")
    async def verdict(self) -> OrderVerdict:
        """Whether the workers accept the order; answers once the plugin is chosen."""
        await workflow.wait_condition(lambda: self._verdict is not None)
        assert self._verdict is not None
        return self._verdict

    @workflow.query(name="status")
    def status(self) -> OrderDocument:
        """The order document: status, sub-status, next step and history."""
        return self._doc

    async def _next_method(self) -> PluginMethod | None:
        """The next plugin method to call: a waiting signal's, else the scheduled one."""
        if self._issued is not None:
            return PluginMethod.ISSUE  # made while signals came: they come after it
        if not self._state.submitted:
            # Only a call that found no worker with the plugin schedules a retry here.
            await self._wait_for_timer_or_signal()
            return apply_before_submission(self._journal)
        if not self._state.inbox:
            await self._wait_for_timer_or_signal()
        if not self._state.inbox:
            return self._doc.next_method
        method, self._note = take_signal(self._journal)
        return method

    async def _wait_for_timer_or_signal(self) -> None:
        due, method = self._doc.next_attempt_at, self._doc.next_method
        delay = (due - workflow.now()) if due is not None else timedelta(0)
        if delay <= timedelta(0) or method is None or self._state.inbox:
            return
        summary = ui.timer_summary(self._doc, workflow.now())
        try:
            await workflow.wait_condition(lambda: bool(self._state.inbox), timeout=delay,
                                          timeout_summary=summary)
        except TimeoutError:
            pass
        except asyncio.CancelledError:
            self._canceled_by_temporal()

    def _canceled_by_temporal(self) -> None:
        # The UI's "Cancel" button (or WorkflowHandle.cancel) must reach the CA too: it
        # is handled like a cancel signal, and the order then ends cleanly.
        reason = workflow.cancellation_reason() or "canceled through Temporal"
        self._journal.receive(OrderSignal(kind=PluginMethod.CANCEL, reason=reason))

    async def _call(self, method: PluginMethod) -> None:
        self._calls_made += 1
        call = PluginCallInput(
            order_id=self._doc.order_id, plugin_name=self._doc.plugin_name or "",
            order_meta=self._state.order_meta, plugin_meta=self._state.plugin_meta,
            core_meta=CoreMetaDTO(plugin_ca_id=self._state.plugin_ca_id,
                                  generated_csr=self._state.generated_csr),
            validate_first=self._state.validate_first and method is PluginMethod.ISSUE)
        try:
            local = calls.runs_locally(self._journal, method, one_task=self._one_task)
            result, stored = await calls.call_plugin(
                self._journal, method, call, quick=local,
                timeout=self._call_timeout, on_cancel=self._canceled_by_temporal,
                summary=ui.activity_summary(method, call.plugin_name, self._calls_made),
                made=self._issued)
            self._issued = None
        except ActivityError as err:
            self._state.submitted = True
            outcomes.plugin_failed(self._journal, method, err)
            return
        if result.not_on_worker:
            # A local activity runs where the workflow task does, maybe always this
            # worker: the next call is an activity that any worker with the plugin takes.
            self._state.quick_calls = self._state.quick_checks = False
            outcomes.plugin_not_on_worker(self._journal, method, result.not_on_worker)
            return
        self._state.not_on_worker_streak = 0
        self._state.validate_first = False
        self._state.submitted = True
        self._state.plugin_meta = self._doc.plugin_meta = result.plugin_meta
        outcome = Outcome.from_status(result.status)
        step = decide(self._doc.status, method, outcome, message=result.status_message,
                      retry_msec=result.retry_msec, retry_method=result.retry_method)
        if step.store_certificate:
            # A quick call stored it already, unless the store did not answer then.
            if stored is None:
                stored = await store_certificate(
                    self._journal, calls.store_request(self._journal, result),
                    timeout=self._call_timeout, on_cancel=self._canceled_by_temporal,
                    one_task=self._one_task)
            if stored.rejected_reason:
                outcome = Outcome.CERTIFICATE_REJECTED
                step = decide(self._doc.status, method, outcome, message=stored.rejected_reason)
            self._doc.container_id = stored.container_id
            self._doc.certificate = stored.certificate
        note, self._note = self._note, None
        self._journal.apply(method, outcome, step, note=note)
