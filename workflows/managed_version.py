"""One new version of a managed certificate, inside its workflow: the key, the child
order, reading the certificate, deploying it and running the hook, then the state.

Workflow code (run by ``ManagedCertificateWorkflow``): no I/O, everything through
activities and the child order.
"""

from __future__ import annotations

from collections.abc import Callable
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
    from certorder.workflows.managed_models import (
        VERSIONS_KEPT,
        CertificateVersion,
        ManagedCertificate,
        ManagedStatus,
    )
    from certorder.workflows.managed_revocation import revoke_discarded
    from certorder.workflows.models import OrderDocument, OrderInput, OrderStatus
    from certorder.workflows.order_workflow import CertificateOrderWorkflow
    from certorder.workflows.plugin_calls import INFRASTRUCTURE_RETRY

# A hook that keeps failing is reported after a few tries, never hidden or retried forever.
HOOK_RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_attempts=4)


class AttemptFailed(Exception):
    """This attempt at a new version failed; the message says why (no key material)."""


class VersionSteps:
    """The steps of one new version, on the workflow's state ``s``."""

    def __init__(self, state: ManagedCertificate, publish: Callable[[], None]) -> None:
        self._s = state
        self._publish = publish

    @property
    def call_timeout(self) -> timedelta:
        return timedelta(seconds=self._s.call_timeout_seconds)

    def key_to_reuse(self) -> str | None:
        """The current key, if the spec keeps keys and that key was not compromised."""
        s = self._s
        if s.spec.reuse_key and s.current is not None \
                and s.current.key_id not in s.compromised_key_ids:
            return s.current.key_id
        return None

    async def issue_and_deploy(self) -> CertificateVersion:
        """Issue, deploy and record a new version; :class:`AttemptFailed` if it fails."""
        s, spec = self._s, self._s.spec
        key_id = self.key_to_reuse()
        if key_id is None:
            # Chosen (and carried) before the key exists: every retry of this version,
            # on any worker, asks for the same key id, so one key per version.
            key_id = s.pending_key_id = s.pending_key_id or (
                f"{s.name}-v{s.next_version}-{workflow.uuid4().hex[:8]}")
            await self.activity(KeyActivities.create_key,
                                CreateKeyInput(key_id=key_id, key_type=spec.key_type),
                                f"make a {spec.key_type} key {key_id}")
        document = await self._order(key_id)
        if key_id in s.compromised_key_ids:
            # Reported compromised while this order ran on it: its certificate is
            # never deployed but revoked; the next attempt (at once) makes a new key.
            s.renew_requested = True
            revoking = await revoke_discarded(document.order_id, self.call_timeout)
            raise AttemptFailed(f"key {key_id} was reported compromised during order "
                                f"{document.order_id}; {revoking}; ordering again with a "
                                "new key")
        facts = await self.activity(DeployActivities.read_certificate,
                                    ReadCertificateInput(container_id=document.container_id),
                                    "read the issued certificate")
        version = CertificateVersion(
            version=s.next_version, key_id=key_id, order_id=document.order_id,
            container_id=document.container_id or "", serial=facts.serial,
            not_before=facts.not_before, not_after=facts.not_after,
            fingerprint_sha256=facts.fingerprint_sha256, issued_at=workflow.now(),
            plugin_name=document.plugin_name, issuer=facts.issuer)
        if spec.deploy_dir:
            deployed = await self.activity(
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
        s.compromised_key_ids = [k for k in s.compromised_key_ids
                                 if k in {v.key_id for v in kept}]
        s.certificate, s.chain = facts.certificate, facts.chain
        s.next_version, s.pending_key_id, s.failures = s.next_version + 1, None, 0
        s.status = ManagedStatus.ACTIVE
        s.message = version.hook_result if (version.hook_result or "").startswith("deploy hook") \
            else None
        return version

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
            await self.activity(KeyActivities.delete_key, DeleteKeyInput(key_id=key_id),
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
                start_to_close_timeout=self.call_timeout, retry_policy=HOOK_RETRY,
                summary=f"deploy hook for v{version.version}")
        except ActivityError as err:
            return f"deploy hook failed after {HOOK_RETRY.maximum_attempts} tries: " \
                   f"{getattr(err.cause, 'message', err.cause)}"

    async def activity(self, activity, arg, summary: str):
        try:
            return await workflow.execute_activity_method(
                activity, arg, start_to_close_timeout=self.call_timeout,
                retry_policy=INFRASTRUCTURE_RETRY, summary=summary)
        except ActivityError as err:
            raise AttemptFailed(f"{summary}: {getattr(err.cause, 'message', err.cause)}") \
                from None
