"""What crosses the revocation workflow's boundary: its input and its document.

No Temporal import (the client and the CLI use these). Every field has a default or
is required from the start, so fields added later stay compatible with revocations
already running.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, computed_field

from certorder.plugins.interface.revocation import RevocationReason
from certorder.workflows.models import DEFAULT_CALL_TIMEOUT_SECONDS
from certorder.workflows.revocation_fsm import RevocationOutcome, RevocationState

#: Workflow type name, as operators see it in the Temporal UI.
REVOCATION_WORKFLOW_TYPE = "CertificateRevocationWorkflow"


def revocation_workflow_id(order_id: str) -> str:
    """One workflow id per certificate: two revocations of it can never run at once."""
    return f"revoke-{order_id}"


class RevocationStepRecord(BaseModel):
    """One step of the revocation's story (a plugin call or a core event)."""

    at: datetime
    outcome: str
    message: str | None = None
    state: RevocationState


class RevocationDocument(BaseModel):
    """The revocation as clients see it: the ``status`` query and the workflow's result.

    ``checked`` turns true once the worker has found the certificate and a plugin that
    can revoke it (or has refused): the client waits for that verdict, or for
    :attr:`waiting_for_plugin`.
    """

    order_id: str
    reason: RevocationReason
    state: RevocationState = RevocationState.REVOKING
    checked: bool = False
    message: str | None = None
    plugin_name: str | None = None
    serial: str | None = None
    revoked_at: datetime | None = None
    next_attempt_at: datetime | None = None
    calls: int = 0
    steps: list[RevocationStepRecord] = Field(default_factory=list)

    @computed_field  # in --json too
    @property
    def waiting_for_plugin(self) -> bool:
        """A worker answered, but without the certificate's plugin: no verdict yet."""
        return (not self.checked and bool(self.steps)
                and self.steps[-1].outcome == RevocationOutcome.PLUGIN_NOT_ON_WORKER.value)


class RevocationInput(BaseModel):
    """Workflow input: which order's certificate, and why (plus, after a
    continue-as-new, the document and plugin_meta so far)."""

    order_id: str
    reason: RevocationReason
    call_timeout_seconds: float = Field(default=DEFAULT_CALL_TIMEOUT_SECONDS, gt=0)
    #: The managed certificate the order belongs to (``certificate-NAME``), if any: told
    #: of a keyCompromise revocation, so that it replaces the key at once.
    managed_workflow_id: str | None = None
    carried_document: RevocationDocument | None = None
    carried_plugin_meta: dict[str, Any] | None = None
    #: Continued while still finding its target (waiting for a worker with the
    #: plugin): the managed certificate has not been told yet.
    carried_before_target: bool = False
