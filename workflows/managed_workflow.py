"""One managed certificate as one long-lived workflow: make a key, order the
certificate with a child ``CertificateOrderWorkflow`` (the seed's order, unchanged),
deploy it, sleep on a durable timer until renewal time, and again, with continue-as-new
after each new version so that the history stays bounded across years.

A failed attempt leaves the current certificate deployed and is retried with backoff
until notAfter; past it the state is EXPIRED and the workflow waits for ``cert renew``.
A CA that suggests a renewal window (ACME ARI) moves the renewal into it; a key
revoked for keyCompromise (signal ``compromised``) is replaced at once.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.renewal_info_activities import (
        RenewalInfoActivities,
        RenewalInfoInput,
        RenewalInfoResult,
    )
    from certorder.plugins.interface.renewal_info import DEFAULT_RECHECK_SECONDS
    from certorder.workflows import managed_presentation as ui
    from certorder.workflows.eager_dispatch import dispatch
    from certorder.workflows.managed_failures import after_failure
    from certorder.workflows.managed_models import (
        MANAGED_WORKFLOW_TYPE,
        KeyCompromised,
        ManagedCertificate,
        ManagedInput,
        ManagedStatus,
        ModifyCertificate,
        over_bound_message,
    )
    from certorder.workflows.managed_renewal_window import (
        apply_not_on_worker,
        apply_renewal_info,
    )
    from certorder.workflows.managed_version import AttemptFailed, VersionSteps
    from certorder.workflows.renewal_policy import human, renewal_time

#: Renewal information is advice: a worker that cannot ask (an old worker without the
#: activity) is not waited for; the policy's time stands and the core asks again later.
RENEWAL_INFO_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_attempts=3)
RENEWAL_INFO_PATCH = "renewal-info"
#: Rechecks can go on for months (a CA's short Retry-After, a plugin no worker has):
#: they continue as new when the server suggests it, as a new version does.
RECHECK_CONTINUES_PATCH = "renewal-info-recheck-continues"


@workflow.defn(name=MANAGED_WORKFLOW_TYPE)
class ManagedCertificateWorkflow:
    @workflow.init
    def __init__(self, request: ManagedInput) -> None:
        assert request.carried is not None or request.spec is not None
        self._s = request.carried or ManagedCertificate(
            name=request.name, spec=request.spec, lineage=workflow.uuid4().hex[:8],
            call_timeout_seconds=request.call_timeout_seconds)
        self._steps = VersionSteps(self._s, self._publish)

    @workflow.run
    async def run(self, request: ManagedInput) -> ManagedCertificate:
        self._publish()
        while not self._s.retire_requested:
            if self._due():
                if await self._new_version():
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    if not self._s.retire_requested:
                        workflow.continue_as_new(ManagedInput(name=self._s.name,
                                                              carried=self._s))
                continue
            if self._recheck_due():
                await self._ask_renewal_info()
                if workflow.info().is_continue_as_new_suggested() and self._recheck_patched():
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    if not self._s.retire_requested:
                        workflow.continue_as_new(ManagedInput(name=self._s.name,
                                                              carried=self._s))
                continue
            await self._sleep()
        self._s.status, self._s.next_renewal_at = ManagedStatus.RETIRED, None
        self._s.next_renewal_reason, self._s.renewal_info_recheck_at = None, None
        self._publish()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._s

    @workflow.signal(name="renew")
    def renew(self) -> None:
        """Renew now (a new key unless reuse_key)."""
        self._s.renew_requested = True

    @workflow.signal(name="retire")
    def retire(self) -> None:
        """Stop renewing; the deployed files stay where they are."""
        self._s.retire_requested = True

    @workflow.signal(name="compromised")
    def compromised(self, notice: KeyCompromised) -> None:
        """The key of this order's certificate is revoked for keyCompromise: never use
        it again, and if it is the current key, renew now with a new one."""
        s = self._s
        version = next((v for v in s.versions if v.order_id == notice.order_id), None)
        if version is None or version.key_id in s.compromised_key_ids:
            return  # unknown or long gone, or told before (a second revocation)
        s.compromised_key_ids.append(version.key_id)
        if s.current is not None and s.current.key_id == version.key_id:
            s.renew_requested = True
            s.message = (f"key {version.key_id} revoked for keyCompromise (order "
                         f"{notice.order_id}): renewing now with a new key")
        self._publish()

    @workflow.update(name="modify")
    def modify(self, change: ModifyCertificate) -> ManagedCertificate:
        """Change names, renewal policy or hook: from the next renewal (now with renew_now)."""
        self._s.pending_spec = change.applied_to(self._s.pending_spec or self._s.spec)
        self._s.renew_requested = self._s.renew_requested or change.renew_now
        self._publish()
        return self._s

    @modify.validator
    def _check_modify(self, change: ModifyCertificate) -> None:
        base = self._s.pending_spec or self._s.spec
        changed = change.applied_to(base)  # raises: update rejected
        # Against this base, not the one a client read before another modify changed it.
        over = changed.renewal.waits_over_bound(base.renewal)
        if over:
            raise ValueError(over_bound_message(over[0]))

    @workflow.query(name="state")
    def state(self) -> ManagedCertificate:
        return self._s

    def _due(self) -> bool:
        s = self._s
        if s.renew_requested or (s.current is None and s.next_renewal_at is None):
            return True
        return s.next_renewal_at is not None and workflow.now() >= s.next_renewal_at

    def _recheck_due(self) -> bool:
        s = self._s
        return (s.status is ManagedStatus.ACTIVE and s.renewal_info_recheck_at is not None
                and workflow.now() >= s.renewal_info_recheck_at)

    async def _sleep(self) -> None:
        s = self._s
        due = s.next_renewal_at
        recheck = s.renewal_info_recheck_at if s.status is ManagedStatus.ACTIVE else None
        if recheck is not None and (due is None or recheck < due):
            until, what = recheck, f"asking the CA again when to renew {s.name}"
        else:
            until = due
            what = (f"renewal of {s.name} at {due.isoformat(timespec='seconds')}"
                    f" ({s.next_renewal_reason})" if due else f"cert renew {s.name} (expired)")
        timeout = max(until - workflow.now(), timedelta(0)) if until is not None else None
        try:
            await workflow.wait_condition(
                lambda: s.renew_requested or s.retire_requested, timeout=timeout,
                timeout_summary=f"wait {human(timeout)} for {what}" if timeout else None)
        except TimeoutError:
            pass

    async def _new_version(self) -> bool:
        s = self._s
        if s.pending_spec is not None:
            s.spec, s.pending_spec = s.pending_spec, None
        s.renew_requested = False
        s.status = ManagedStatus.RENEWING if s.current else ManagedStatus.ISSUING
        self._publish()
        try:
            version = await self._steps.issue_and_deploy()
        except AttemptFailed as failed:
            after_failure(self._s, workflow.now(), str(failed))
            self._publish()
            return False
        s.next_renewal_at, s.next_renewal_reason = renewal_time(
            version.not_before, version.not_after, workflow.now(), s.spec.renewal,
            workflow.random().random())
        s.renewal_window, s.renewal_info_recheck_at = None, None
        s.renewal_info_not_on_worker = 0  # a new version's first ask: eager, a minute's wait
        self._publish()
        if workflow.patched(RENEWAL_INFO_PATCH):
            await self._ask_renewal_info()
        return True

    def _recheck_patched(self) -> bool:
        """Whether this recheck may continue as new. Asked only when suggested (its
        marker costs nothing else), under an id of its own each time: the SDK remembers
        a patch id's first answer for the run, and a run recorded before the patch,
        replayed here, answers False at its past rechecks, which must not hold for the
        rechecks it makes from now on."""
        length = workflow.info().get_current_history_length()
        return workflow.patched(f"{RECHECK_CONTINUES_PATCH}-{length}")

    async def _ask_renewal_info(self) -> None:
        current = self._s.current
        assert current is not None
        # After a worker without the plugin answered, not eagerly: the workflow is cached
        # there, and an eager ask would go back to it every time (eager_dispatch.py).
        with dispatch(eager=self._s.renewal_info_not_on_worker == 0):
            asked = workflow.start_activity_method(
                RenewalInfoActivities.suggested_renewal_window,
                RenewalInfoInput(order_id=current.order_id),
                start_to_close_timeout=self._steps.call_timeout,
                retry_policy=RENEWAL_INFO_RETRY,
                summary=f"ask the CA when to renew v{current.version}")
        try:
            answer = await asked
        except ActivityError as err:
            answer = RenewalInfoResult(error=str(getattr(err.cause, "message", err.cause)),
                                       recheck_seconds=DEFAULT_RECHECK_SECONDS)
        if answer.not_on_worker:
            apply_not_on_worker(self._s, answer.not_on_worker, workflow.now())
        else:
            apply_renewal_info(self._s, answer.window, answer.error, answer.recheck_seconds,
                               workflow.now(), workflow.random().random())
        self._publish()

    def _publish(self) -> None:
        workflow.set_current_details(ui.current_details(self._s))
