"""One short workflow per CA-management operation (``ca list|create|delete``, ``plugin
list``): the operation runs on a worker, with the worker's plugins and credentials, and
leaves an audit trail in the Temporal UI (who asked for what, and what came of it)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from certorder.activities.admin_activities import AdminActivities
    from certorder.activities.admin_models import WorkerDescription
    from certorder.workflows import ADMIN_WORKFLOW_TYPE
    from certorder.workflows.admin_models import (
        AdminOperation,
        AdminRequest,
        AdminResult,
        WorkerAnswer,
    )

CALL_TIMEOUT = timedelta(seconds=60)
#: A worker's own queue that nobody polls within this is a worker that has gone away.
WORKER_ANSWER_TIMEOUT = timedelta(seconds=5)
# A lost worker is worth another try; a plugin's refusal is not (non-retryable).
RETRY = RetryPolicy(maximum_attempts=3)


@workflow.defn(name=ADMIN_WORKFLOW_TYPE)
class CaAdminWorkflow:
    @workflow.run
    async def run(self, request: AdminRequest) -> AdminResult:
        try:
            return await self._run(request)
        except ActivityError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError):
                raise ApplicationError(cause.message, type=cause.type,
                                       non_retryable=True) from None
            raise ApplicationError(str(cause or err), type="WorkerFailure",
                                   non_retryable=True) from None

    async def _run(self, request: AdminRequest) -> AdminResult:
        options = {"start_to_close_timeout": CALL_TIMEOUT, "retry_policy": RETRY}
        if request.operation is AdminOperation.LIST_CAS:
            cas = await workflow.execute_activity_method(
                AdminActivities.list_cas, summary="list the CAs", **options)
            return AdminResult(cas=cas)
        if request.operation is AdminOperation.CREATE_CA:
            ca = await workflow.execute_activity_method(
                AdminActivities.create_ca, request.create,
                summary=f"create CA {request.create.ca.name!r}", **options)
            return AdminResult(ca=ca)
        if request.operation is AdminOperation.DELETE_CA:
            await workflow.execute_activity_method(
                AdminActivities.delete_ca, request.delete,
                summary=f"delete CA {request.delete.ca_id}", **options)
            return AdminResult()
        answers = await asyncio.gather(*(
            self._describe(identity, queue) for identity, queue in request.worker_queues.items()))
        return AdminResult(workers=list(answers))

    async def _describe(self, identity: str, queue: str) -> WorkerAnswer:
        try:
            description = await workflow.execute_activity(
                "describe_worker", task_queue=queue, result_type=WorkerDescription,
                schedule_to_start_timeout=WORKER_ANSWER_TIMEOUT,
                start_to_close_timeout=WORKER_ANSWER_TIMEOUT,
                retry_policy=RetryPolicy(maximum_attempts=1),
                summary=f"ask worker {identity}")
        except ActivityError:
            return WorkerAnswer(identity=identity,
                                error=f"no answer within {WORKER_ANSWER_TIMEOUT.seconds} s")
        return WorkerAnswer(identity=identity, description=description)
