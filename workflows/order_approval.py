"""Durable approvals: an order that needs a person's approval waits, PENDING with
sub-status ``awaiting approval``, before anything reaches a CA.

The wait is a condition on workflow state with an optional timeout (a durable timer),
so it survives any restart and costs nothing while nobody decides. Cancel and modify
signals keep their meaning meanwhile (nothing is at the CA yet).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from certorder.plugins.interface.status import PluginMethod
    from certorder.workflows import order_presentation as ui
    from certorder.workflows.models import ApprovalDecision, OrderState, OrderStatus
    from certorder.workflows.order_fsm import Outcome, decide
    from certorder.workflows.order_journal import OrderJournal

_ISSUE = PluginMethod.ISSUE


class ApprovalGate:
    """Holds an order at the gate until it is approved, denied, canceled or timed out."""

    def __init__(self, journal: OrderJournal) -> None:
        self._journal = journal

    @property
    def _state(self) -> OrderState:
        return self._journal.state

    @property
    def waiting(self) -> bool:
        """Whether the order is at the gate now (approve/deny apply only then)."""
        return (self._state.approval is not None and self._state.approval_decision is None
                and not self._state.submitted and not self._journal.doc.status.is_terminal)

    def decide(self, decision: ApprovalDecision) -> None:
        """An approve or deny signal; one that finds no order at the gate is recorded."""
        if not self.waiting:
            doc = self._journal.doc
            self._journal.record("approval", "ignored", "the order is not awaiting approval",
                                 doc.status, doc.status)
            return
        self._state.approval_decision = decision.model_copy(
            update={"by": decision.by or "unknown"})

    async def wait(self, on_cancel: Callable[[], None]) -> None:
        """Return once the order may go on (approved), or has ended (denied, timed out,
        canceled: a cancel in the inbox is the workflow's to handle).

        :param on_cancel: called when Temporal cancels the workflow (the UI's Cancel
            button) meanwhile; it must put a cancel in the inbox.
        """
        policy = self._state.approval
        assert policy is not None
        timeout = (timedelta(seconds=policy.timeout_seconds)
                   if policy.timeout_seconds is not None else None)
        self._apply(Outcome.AWAITING_APPROVAL, _waiting_message(self._journal.doc.order_id),
                    timeout)
        while self.waiting and not self._cancel_waiting():
            try:
                await workflow.wait_condition(
                    lambda: not self.waiting or self._cancel_waiting(), timeout=timeout,
                    timeout_summary="awaiting approval" + (
                        f": decide within {ui.human(timeout)}" if timeout is not None else ""))
            except asyncio.CancelledError:
                on_cancel()
                continue
            except TimeoutError:
                if policy.on_timeout == "error":
                    self._apply(Outcome.APPROVAL_TIMED_OUT,
                                f"no decision within {ui.human(timeout)}", None)
                    return
                self._remind(timeout)
        decision = self._state.approval_decision
        if decision is None:
            return  # canceled: the workflow ends the order without the CA
        if not decision.approved:
            reason = f": {decision.note}" if decision.note else ""
            self._apply(Outcome.APPROVAL_DENIED, f"denied by {decision.by}{reason}", None)
            return
        doc = self._journal.doc
        note = f": {decision.note}" if decision.note else ""
        self._journal.record("approval", "approved", f"approved by {decision.by}{note}",
                             doc.status, doc.status)
        doc.sub_status, doc.sub_status_message = "approved", f"approved by {decision.by}{note}"
        doc.next_attempt_at = None
        self._journal.publish()

    def _cancel_waiting(self) -> bool:
        return any(signal.kind is PluginMethod.CANCEL for signal in self._state.inbox)

    def _remind(self, waited: timedelta) -> None:
        doc = self._journal.doc
        self._state.approval_reminders += 1
        message = (f"reminder {self._state.approval_reminders}: still awaiting approval after "
                   f"{ui.human(waited * self._state.approval_reminders)}; "
                   f"{_waiting_message(doc.order_id)}")
        self._apply(Outcome.AWAITING_APPROVAL, message, waited)

    def _apply(self, outcome: Outcome, message: str, delay: timedelta | None) -> None:
        msec = int(delay.total_seconds() * 1000) if delay is not None else None
        self._journal.apply(_ISSUE, outcome, decide(
            OrderStatus.PENDING, _ISSUE, outcome, message=message, retry_msec=msec))


def _waiting_message(order_id: str) -> str:
    return (f"approve with `certorder order approve {order_id}`, or deny with "
            f"`certorder order deny {order_id} --reason ...`")
