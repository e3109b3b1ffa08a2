"""Revoking, from a managed certificate's workflow, a certificate it discards because its
key was reported compromised while the order ran (``--reuse-key``): issued, never
deployed, and still valid at the CA unless revoked.

Workflow code: the revocation is the ordinary one, ``revoke-<order id>``, started as a
child that outlives this run (it may wait on a slow CA for days; the managed workflow
orders the new key at once and continues-as-new).
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from certorder.plugins.interface.revocation import RevocationReason
    from certorder.workflows.revocation_models import RevocationInput, revocation_workflow_id
    from certorder.workflows.revocation_presentation import revocation_summary
    from certorder.workflows.revocation_workflow import CertificateRevocationWorkflow

#: Workflows started before this change (no marker in their history) only discarded it.
REVOKE_DISCARDED_PATCH = "revoke-discarded"


async def revoke_discarded(order_id: str, call_timeout: timedelta) -> str:
    """Start the keyCompromise revocation of ``order_id``'s certificate; what was done,
    for the state's message."""
    if not workflow.patched(REVOKE_DISCARDED_PATCH):
        return "its certificate is not revoked (a workflow started before revoke-discarded)"
    revocation_id = revocation_workflow_id(order_id)
    reason = RevocationReason.KEY_COMPROMISE
    try:
        await workflow.start_child_workflow(
            CertificateRevocationWorkflow.run,
            # No managed_workflow_id: this workflow knows already, and is not signalled
            # back about its own discard.
            RevocationInput(order_id=order_id, reason=reason,
                            call_timeout_seconds=call_timeout.total_seconds()),
            id=revocation_id, parent_close_policy=ParentClosePolicy.ABANDON,
            # As `cert revoke`: never two at once; one after a finished one finds the
            # store's record (if it revoked) and asks nothing of the CA.
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            static_summary=revocation_summary(order_id, reason.value))
    except WorkflowAlreadyStartedError:
        return f"its certificate is being revoked already ({revocation_id})"
    return f"its certificate is being revoked ({revocation_id})"
