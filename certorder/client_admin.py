"""CA management for the client: each operation is a short workflow run by a worker,
with the worker's plugins, so the client loads none and the CAs it lists, creates and
deletes are the ones the workers issue from."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError

from certorder.activities.admin_models import CreateCaInput, DeleteCaInput
from certorder.client_errors import CertOrderError, WorkerUnavailableError, plugin_errors
from certorder.client_workers import live_workers, no_worker_error
from certorder.plugins.interface import errors as plugin_exceptions
from certorder.plugins.interface.dto import CACreateDTO, CAInfo
from certorder.settings import Settings
from certorder.workflows import ADMIN_WORKFLOW_TYPE, worker_task_queue
from certorder.workflows.admin_models import (
    AdminOperation,
    AdminRequest,
    AdminResult,
    WorkerAnswer,
)

#: How long the client waits for a worker to carry out one operation.
ADMIN_TIMEOUT = timedelta(seconds=60)
_REFUSALS = {cls.__name__: cls for cls in vars(plugin_exceptions).values()
             if isinstance(cls, type) and issubclass(cls, plugin_exceptions.CertificatePluginError)}


class CaAdmin:
    """``ca list|create|delete`` and ``plugin list``, carried out by the workers."""

    def __init__(self, temporal: Client, settings: Settings) -> None:
        self._temporal = temporal
        self._settings = settings

    async def list_cas(self) -> list[CAInfo]:
        return (await self._run(AdminRequest(operation=AdminOperation.LIST_CAS),
                                "list the CAs")).cas

    async def create_ca(self, ca: CACreateDTO, plugin_name: str | None = None) -> CAInfo:
        via = f" via {plugin_name}" if plugin_name else ""
        result = await self._run(
            AdminRequest(operation=AdminOperation.CREATE_CA,
                         create=CreateCaInput(plugin_name=plugin_name, ca=ca)),
            f"create CA {ca.name!r}{via}")
        assert result.ca is not None
        return result.ca

    async def delete_ca(self, ca_id: str, plugin_name: str | None = None) -> None:
        await self._run(AdminRequest(operation=AdminOperation.DELETE_CA,
                                     delete=DeleteCaInput(ca_id=ca_id, plugin_name=plugin_name)),
                        f"delete CA {ca_id}")

    async def describe_workers(self) -> list[WorkerAnswer]:
        """Each live worker's own answer: its identity and the plugins it loaded."""
        identities = await live_workers(self._temporal, self._settings)
        queues = {i: worker_task_queue(self._settings.task_queue, i) for i in identities}
        request = AdminRequest(operation=AdminOperation.DESCRIBE_WORKERS, worker_queues=queues)
        return (await self._run(request, "list the workers' plugins", identities)).workers

    async def _run(self, request: AdminRequest, summary: str,
                   identities: list[str] | None = None) -> AdminResult:
        if identities is None:
            identities = await live_workers(self._temporal, self._settings)
        if not identities:
            raise no_worker_error(self._settings)
        workflow_id = f"ca-admin-{request.operation.value}-{uuid.uuid4().hex[:12]}"
        run = self._temporal.execute_workflow(
            ADMIN_WORKFLOW_TYPE, request, id=workflow_id, task_queue=self._settings.task_queue,
            result_type=AdminResult, execution_timeout=ADMIN_TIMEOUT, static_summary=summary)
        try:
            return await asyncio.wait_for(run, ADMIN_TIMEOUT.total_seconds())
        except TimeoutError:
            raise WorkerUnavailableError(
                f"no worker carried out {workflow_id} within {ADMIN_TIMEOUT.seconds} s") from None
        except WorkflowFailureError as exc:
            raise refusal_error(exc.cause) from None


def refusal_error(cause: BaseException | None) -> CertOrderError:
    """The client error for a failed operation: a plugin's refusal keeps its own class's
    meaning (unknown CA: input error, exit 2), anything else is operational."""
    if isinstance(cause, ApplicationError) and cause.type in _REFUSALS:
        try:
            with plugin_errors():
                raise _REFUSALS[cause.type](cause.message)
        except CertOrderError as error:
            return error
    return CertOrderError(f"the worker failed: {cause}")
