"""Input and result of :class:`~certorder.workflows.admin_workflow.CaAdminWorkflow`.

No Temporal import: the client builds these too.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from certorder.activities.admin_models import CreateCaInput, DeleteCaInput, WorkerDescription
from certorder.plugins.interface.dto import CAInfo


class AdminOperation(StrEnum):
    LIST_CAS = "list-cas"
    CREATE_CA = "create-ca"
    DELETE_CA = "delete-ca"
    DESCRIBE_WORKERS = "describe-workers"


class AdminRequest(BaseModel):
    operation: AdminOperation
    create: CreateCaInput | None = None
    delete: DeleteCaInput | None = None
    #: For ``describe-workers``: each worker's own task queue (one per identity).
    worker_queues: dict[str, str] = Field(default_factory=dict)


class WorkerAnswer(BaseModel):
    """One worker's answer to ``describe-workers``, or why there was none."""

    identity: str
    description: WorkerDescription | None = None
    error: str | None = None


class AdminResult(BaseModel):
    cas: list[CAInfo] = Field(default_factory=list)
    ca: CAInfo | None = None
    workers: list[WorkerAnswer] = Field(default_factory=list)
