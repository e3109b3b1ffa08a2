"""One managed certificate as one long-lived workflow: make a key, order the
certificate with a child ``CertificateOrderWorkflow`` (the seed's order, unchanged),
deploy it, sleep on a durable timer until renewal time, and again, with continue-as-new
after each new version so that the history stays bounded across years.

A failed attempt leaves the current certificate deployed and is retried with backoff
until notAfter; past it the state is EXPIRED and the workflow waits for ``cert renew``.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, ChildWorkflowError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from certorder.activities.deploy_activities import DeployActivities
    from certorder.activities.deploy_models import DeployInput, HookInput, ReadCertificateInput
    from certorder.activities.key_activities import KeyActivities
    from certorder.activities.key_models import CreateKeyInput, DeleteKeyInput
    from certorder.workflows import ORDER_REJECTED
    from certorder.workflows import managed_presentation as ui
    from certorder.workflows.managed_failures import after_failure
    from certorder.workflows.managed_models import (
        MANAGED_WORKFLOW_TYPE,
        VERSIONS_KEPT,
        CertificateVersion,
        ManagedCertificate,
        ManagedInput,
        ManagedStatus,
        ModifyCertificate,
    )
    from certorder.workflows.models import OrderDocument, OrderInput, OrderStatus
    from certorder.workflows.order_workflow import CertificateOrderWorkflow
    from certorder.workflows.plugin_calls import INFRASTRUCTURE_RETRY
    from certorder.workflows.renewal_policy import human, renewal_time

# A hook that keeps failing is reported after a few tries, never hidden or retried forever.
HOOK_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=4)


class AttemptFailed(Exception):
    """This attempt at a new version failed; the message says why (no key material)."""


@workflow.defn(name=MANAGED_WORKFLOW_TYPE)
class ManagedCertificateWorkflow:
    @workflow.init
    def __init__(self, request: ManagedInput) -> None:
        assert request.carried is not None or request.spec is not None
        self._s = request.carried or ManagedCertificate(
            name=request.name, spec=request.spec, lineage=workflow.uuid4().hex[:8],
            call_timeout_seconds=request.call_timeout_seconds)

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
            await self._sleep()
        self._s.status, self._s.next_renewal_at = ManagedStatus.RETIRED, None
        self._s.next_renewal_reason = None
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

    @workflow.update(name="modify")
    def modify(self, change: ModifyCertificate) -> ManagedCertificate:
        """Change names, renewal policy or hook: from the next renewal (now with renew_now)."""
        self._s.pending_spec = change.applied_to(self._s.pending_spec or self._s.spec)
        self._s.renew_requested = self._s.renew_requested or change.renew_now
        self._publish()
        return self._s

    @modify.validator
    def _check_modify(self, change: ModifyCertificate) -> None:
        change.applied_to(self._s.pending_spec or self._s.spec)  # raises: update rejected

    @workflow.query(name="state")
    def state(self) -> ManagedCertificate:
        return self._s

    @property
    def _call_timeout(self) -> timedelta:
        return timedelta(seconds=self._s.call_timeout_seconds)

    def _due(self) -> bool:
        s = self._s
        if s.renew_requested or (s.current is None and s.next_renewal_at is None):
            return True
        return s.next_renewal_at is not None and workflow.now() >= s.next_renewal_at

    async def _sleep(self) -> None:
        s = self._s
        due = s.next_renewal_at
        timeout = max(due - workflow.now(), timedelta(0)) if due is not None else None
        what = (f"renewal of {s.name} at {due.isoformat(timespec='seconds')}"
                f" ({s.next_renewal_reason})" if due else f"cert renew {s.name} (expired)")
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
            await self._issue_and_deploy()
        except AttemptFailed as failed:
            self._attempt_failed(str(failed))
            return False
        return True

    async def _issue_and_deploy(self) -> None:
        s, spec = self._s, self._s.spec
        if spec.reuse_key and s.current is not None:
            key_id = s.current.key_id
        else:
            # Chosen (and carried) before the key exists: every retry of this version,
            # on any worker, asks for the same key id, so one key per version.
            key_id = s.pending_key_id = s.pending_key_id or (
                f"{s.name}-v{s.next_version}-{workflow.uuid4().hex[:8]}")
            await self._activity(KeyActivities.create_key,
                                 CreateKeyInput(key_id=key_id, key_type=spec.key_type),
                                 f"make a {spec.key_type} key {key_id}")
        document = await self._order(key_id)
        facts = await self._activity(DeployActivities.read_certificate,
                                     ReadCertificateInput(container_id=document.container_id),
                                     "read the issued certificate")
        version = CertificateVersion(
            version=s.next_version, key_id=key_id, order_id=document.order_id,
            container_id=document.container_id or "", serial=facts.serial,
            not_before=facts.not_before, not_after=facts.not_after,
            fingerprint_sha256=facts.fingerprint_sha256, issued_at=workflow.now(),
            plugin_name=document.plugin_name, issuer=facts.issuer)
        if spec.deploy_dir:
            deployed = await self._activity(
                DeployActivities.deploy_certificate,
                DeployInput(name=s.name, deploy_dir=spec.deploy_dir, version=version.version,
                            key_id=key_id, container_id=version.container_id),
                f"deploy v{version.version} to {spec.deploy_dir}")
            version.deployed_to = deployed.live_dir
            if spec.deploy_hook:
                version.hook_result = await self._hook(spec.deploy_hook, deployed, version)
        kept = [*s.versions, version][-VERSIONS_KEPT:]
        await self._forget_keys(s.versions, kept)
        s.versions = kept
        s.certificate, s.chain = facts.certificate, facts.chain
        s.next_version, s.pending_key_id, s.failures = s.next_version + 1, None, 0
        s.status = ManagedStatus.ACTIVE
        s.message = version.hook_result if (version.hook_result or "").startswith("deploy hook") \
            else None
        s.next_renewal_at, s.next_renewal_reason = renewal_time(
            facts.not_before, facts.not_after, workflow.now(), spec.renewal,
            workflow.random().random())
        self._publish()

    async def _order(self, key_id: str) -> OrderDocument:
        s = self._s
        s.orders_started += 1
        order_id = f"{workflow.info().workflow_id}-{s.lineage}-v{s.next_version}-{s.orders_started}"
        s.current_order_id = order_id
        self._publish()
        try:
            child = await workflow.start_child_workflow(
                CertificateOrderWorkflow.run,
                OrderInput(order_meta=s.spec.order_meta(key_id),
                           call_timeout_seconds=s.call_timeout_seconds),
                id=order_id, parent_close_policy=ParentClosePolicy.REQUEST_CANCEL,
                static_summary=f"v{s.next_version} of managed certificate {s.name}")
            await self._until_expiry(child, order_id)
            document = await child
        except ChildWorkflowError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == ORDER_REJECTED:
                raise AttemptFailed(f"order {order_id} rejected: {cause.message}") from None
            raise AttemptFailed(f"order {order_id} failed: {cause or err}") from None
        if document.status is not OrderStatus.ACTIVE or not document.container_id:
            raise AttemptFailed(f"order {order_id} ended {document.status}: "
                                f"{document.sub_status_message or document.sub_status}")
        return document

    async def _forget_keys(self, before: list[CertificateVersion],
                           kept: list[CertificateVersion]) -> None:
        # A version dropped from the state is long superseded: its key goes too, so the
        # store holds exactly the keys of the versions the state still names.
        in_use = {v.key_id for v in kept}
        for key_id in {v.key_id for v in before} - in_use:
            await self._activity(KeyActivities.delete_key, DeleteKeyInput(key_id=key_id),
                                 f"delete the superseded key {key_id}")

    async def _until_expiry(self, child, order_id: str) -> None:
        # An order can wait on an unreachable CA for as long as the CA asks: past the
        # current certificate's notAfter, that must show, while the order goes on.
        current = self._s.current
        if current is None:
            return
        left = current.not_after - workflow.now()
        try:
            if left > timedelta(0):
                await workflow.wait_condition(child.done, timeout=left,
                                              timeout_summary="until the current notAfter")
                return
        except TimeoutError:
            pass
        if not child.done():
            self._s.status = ManagedStatus.EXPIRED
            self._s.message = (f"order {order_id} still waits for the CA and the current "
                               "certificate has expired; it stays deployed")
            self._publish()

    async def _hook(self, command: str, deployed, version: CertificateVersion) -> str:
        try:
            return await workflow.execute_activity_method(
                DeployActivities.run_deploy_hook,
                HookInput(name=self._s.name, command=command, live_dir=deployed.live_dir,
                          files=deployed.files, serial=version.serial, version=version.version),
                start_to_close_timeout=self._call_timeout, retry_policy=HOOK_RETRY,
                summary=f"deploy hook for v{version.version}")
        except ActivityError as err:
            return f"deploy hook failed after {HOOK_RETRY.maximum_attempts} tries: " \
                   f"{getattr(err.cause, 'message', err.cause)}"

    async def _activity(self, activity, arg, summary: str):
        try:
            return await workflow.execute_activity_method(
                activity, arg, start_to_close_timeout=self._call_timeout,
                retry_policy=INFRASTRUCTURE_RETRY, summary=summary)
        except ActivityError as err:
            raise AttemptFailed(f"{summary}: {getattr(err.cause, 'message', err.cause)}") \
                from None

    def _attempt_failed(self, why: str) -> None:
        after_failure(self._s, workflow.now(), why)
        self._publish()

    def _publish(self) -> None:
        workflow.set_current_details(ui.current_details(self._s))
