"""One revocation of one order's certificate as one durable workflow.

Driven by ``certorder.workflows.revocation_fsm``: find the certificate and its plugin
(refusing at once if the plugin offers no revocation), call ``revoke_certificate``,
and while the CA is unavailable or slow wait on a durable timer and call again, until
the CA says revoked or refused. A step that reached a worker without the plugin is
made again after a growing delay, through the task queue (never eagerly back to this
worker, ``workflows/eager_dispatch.py``), until a worker with the plugin takes it. A
revoked certificate is recorded in the store. The workflow id is ``revoke-<order id>``,
so one certificate never has two revocations running at once.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, FailureError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.revocation_activities import RevocationActivities
    from certorder.activities.revocation_models import (
        RecordRevocationInput,
        RevocationTarget,
        RevocationTargetInput,
        RevokeCallInput,
    )
    from certorder.plugins.interface.revocation import RevocationReason
    from certorder.workflows.backoff import not_on_worker_delay
    from certorder.workflows.managed_models import KeyCompromised
    from certorder.workflows.plugin_calls import failure_of, run_activity
    from certorder.workflows.revocation_fsm import (
        IllegalRevocationStep,
        RevocationOutcome,
        RevocationState,
        decide_revocation,
    )
    from certorder.workflows.revocation_models import (
        REVOCATION_WORKFLOW_TYPE,
        RevocationDocument,
        RevocationInput,
        RevocationStepRecord,
    )
    from certorder.workflows.revocation_presentation import revocation_details

#: Steps kept in the document; the state carried across continue-as-new stays small.
MAX_STEPS = 50


@workflow.defn(name=REVOCATION_WORKFLOW_TYPE, failure_exception_types=[IllegalRevocationStep])
class CertificateRevocationWorkflow:
    """Revoke one order's certificate: ``REVOKING`` until REVOKED, REFUSED or ERROR."""

    @workflow.init
    def __init__(self, request: RevocationInput) -> None:
        self._doc = request.carried_document or RevocationDocument(
            order_id=request.order_id, reason=request.reason)
        self._plugin_meta = request.carried_plugin_meta
        # Calls in a row that found no plugin (the wait grows with them), and whether
        # this run's worker is known to lack it (its calls must be free to leave it).
        self._not_on_worker_streak = 0
        self._lacks_plugin = False

    @workflow.run
    async def run(self, request: RevocationInput) -> RevocationDocument:
        self._publish()
        timeout = timedelta(seconds=request.call_timeout_seconds)
        target = await self._find_target(request, timeout)
        if target is None:
            return self._doc
        if request.managed_workflow_id and _not_told_yet(request) \
                and self._doc.reason is RevocationReason.KEY_COMPROMISE:
            await self._tell_managed(request.managed_workflow_id)
        while not self._doc.state.is_terminal:
            self._continue_if_suggested(request, before_target=False)  # told by now, if ever
            await self._call(target, timeout)
            if self._doc.next_attempt_at is not None:
                await workflow.sleep(self._doc.next_attempt_at - workflow.now(),
                                     summary=self._waiting_for())
        if self._doc.state is RevocationState.REVOKED:
            await run_activity(
                RevocationActivities.record_revocation,
                RecordRevocationInput(
                    order_id=self._doc.order_id, reason=self._doc.reason,
                    revoked_at=self._doc.revoked_at or workflow.now(),
                    plugin_name=self._doc.plugin_name or "", serial=self._doc.serial),
                summary="record the revocation in the store", timeout=timeout,
                on_cancel=_finish_anyway)
        return self._doc

    @workflow.query(name="status")
    def status(self) -> RevocationDocument:
        """The revocation document: state, message, next call and history."""
        return self._doc

    async def _find_target(self, request: RevocationInput,
                           timeout: timedelta) -> RevocationTarget | None:
        """The certificate and plugin, or None once the revocation has already ended."""
        while True:
            try:
                target = await run_activity(
                    RevocationActivities.find_revocation_target,
                    RevocationTargetInput(order_id=self._doc.order_id),
                    summary="find the certificate and its plugin", timeout=timeout,
                    on_cancel=_finish_anyway, eager=not self._lacks_plugin)
            except ActivityError as err:
                self._apply(RevocationOutcome.PLUGIN_RAISED, "{}: {}".format(*failure_of(err)))
                return None
            if target.not_on_worker is None:
                break
            self._doc.plugin_name = target.plugin_name  # the one a worker must have
            self._not_on_worker(target.not_on_worker)
            await workflow.sleep(self._doc.next_attempt_at - workflow.now(),
                                 summary=self._waiting_for())
            # Waiting for weeks must not reach the history's limit either.
            self._continue_if_suggested(request, before_target=_not_told_yet(request))
        self._not_on_worker_streak = 0
        self._doc.plugin_name, self._doc.serial = target.plugin_name, target.serial
        if target.refusal is not None:
            self._apply(RevocationOutcome.NOT_SUPPORTED, target.refusal)
            return None
        if target.recorded_at is not None:
            self._doc.revoked_at = target.recorded_at
            self._apply(RevocationOutcome.REVOKED, "already recorded as revoked in the store")
            return None
        if self._plugin_meta is None:
            self._plugin_meta = target.plugin_meta
        self._doc.checked = True
        self._publish()
        return target

    async def _tell_managed(self, managed_id: str) -> None:
        # Before the first call to the CA: the replacement need not wait for a slow CA.
        # A signal is durable and sent once; the managed workflow ignores a repeat.
        outcome = f"told {managed_id}: renew with a new key"
        try:
            await workflow.get_external_workflow_handle(managed_id).signal(
                "compromised", KeyCompromised(order_id=self._doc.order_id))
        except FailureError as err:  # not running (retired): nothing to replace
            outcome = f"could not tell {managed_id} ({err.message})"
        self._doc.steps.append(RevocationStepRecord(
            at=workflow.now(), outcome=outcome, state=self._doc.state))
        self._publish()

    async def _call(self, target: RevocationTarget, timeout: timedelta) -> None:
        self._doc.calls += 1
        call = RevokeCallInput(
            order_id=self._doc.order_id, plugin_name=target.plugin_name or "",
            certificate=target.certificate or "", order_meta=target.order_meta,
            plugin_meta=self._plugin_meta or {}, reason=self._doc.reason)
        try:
            result = await run_activity(
                RevocationActivities.revoke_certificate, call, timeout=timeout,
                on_cancel=_finish_anyway, eager=not self._lacks_plugin,
                summary=f"#{self._doc.calls} {call.plugin_name}.revoke_certificate")
        except ActivityError as err:
            self._apply(RevocationOutcome.PLUGIN_RAISED, "{}: {}".format(*failure_of(err)))
            return
        if result.status is None:  # nothing reached the CA
            self._doc.calls -= 1
            self._not_on_worker(result.not_on_worker or "")
            return
        self._not_on_worker_streak = 0
        self._plugin_meta = result.plugin_meta
        if result.revoked_at is not None:
            self._doc.revoked_at = result.revoked_at
        elif result.status.value == RevocationOutcome.REVOKED.value:
            self._doc.revoked_at = workflow.now()
        self._apply(RevocationOutcome.from_status(result.status), result.status_message,
                    result.retry_msec)

    def _continue_if_suggested(self, request: RevocationInput, *, before_target: bool) -> None:
        if workflow.info().is_continue_as_new_suggested():
            workflow.continue_as_new(request.model_copy(update={
                "carried_document": self._doc, "carried_plugin_meta": self._plugin_meta,
                "carried_before_target": before_target}))

    def _not_on_worker(self, why: str) -> None:
        delay = not_on_worker_delay(self._not_on_worker_streak)
        self._not_on_worker_streak += 1
        self._lacks_plugin = True
        self._apply(RevocationOutcome.PLUGIN_NOT_ON_WORKER, why,
                    int(delay.total_seconds() * 1000))

    def _waiting_for(self) -> str:
        last = self._doc.steps[-1].outcome if self._doc.steps else None
        if last == RevocationOutcome.PLUGIN_NOT_ON_WORKER.value:
            return "wait for a worker with the plugin, then try again"
        return "wait for the CA, then revoke again"

    def _apply(self, outcome: RevocationOutcome, message: str | None,
               retry_msec: int = 0) -> None:
        step = decide_revocation(self._doc.state, outcome, message=message,
                                 retry_msec=retry_msec)
        self._doc.state, self._doc.message = step.to_state, step.message
        # Waiting for a worker with the plugin is no verdict yet: the plugin may still
        # turn out to offer no revocation.
        if outcome is not RevocationOutcome.PLUGIN_NOT_ON_WORKER:
            self._doc.checked = True
        self._doc.next_attempt_at = (
            workflow.now() + timedelta(milliseconds=step.delay_msec)
            if step.delay_msec is not None else None)
        self._doc.steps.append(RevocationStepRecord(
            at=workflow.now(), outcome=outcome.value, message=message, state=step.to_state))
        del self._doc.steps[:-MAX_STEPS]
        self._publish()

    def _publish(self) -> None:
        workflow.set_current_details(revocation_details(self._doc))


def _not_told_yet(request: RevocationInput) -> bool:
    """Whether this run has still to tell the managed certificate (once the target is
    found): a first run, or one continued before any run had found it."""
    return request.carried_document is None or request.carried_before_target


def _finish_anyway() -> None:
    # A Temporal cancel mid-call must not abandon a call that may already have
    # revoked at the CA: the call is awaited to its end (see run_activity).
    workflow.logger.info("cancel requested during a revocation call; finishing the call")
