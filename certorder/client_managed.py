"""Managed certificates for the client: start, steer and read the one workflow per
certificate name. The client needs only Temporal: keys live on the workers, the
certificate (public) comes from the workflow's state."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from datetime import timedelta

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from certorder.client_errors import (
    CertOrderError,
    InvalidInputError,
    WorkerUnavailableError,
    plugin_errors,
    temporal_errors,
)
from certorder.plugins.order_checks import check_request
from certorder.settings import Settings
from certorder.workflows import managed_presentation
from certorder.workflows.managed_models import (
    MANAGED_ID_PREFIX,
    MANAGED_WORKFLOW_TYPE,
    CertificateSpec,
    ManagedCertificate,
    ManagedInput,
    ManagedStatus,
    ModifyCertificate,
    RenewalPolicy,
    managed_workflow_id,
    over_bound_message,
)

QUERY_TIMEOUT = timedelta(seconds=10)
QUERY_CONCURRENCY = 16
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class CertificateNotFoundError(InvalidInputError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no managed certificate {name} (see `certorder cert list`)")


def check_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise InvalidInputError(
            f"certificate name {name!r} must be 1-100 letters, digits, '.', '_' or '-'")
    return name


def check_spec(spec: CertificateSpec, *,
               recorded: RenewalPolicy | None = None) -> CertificateSpec:
    """The spec, validated again (``model_copy(update=...)`` skips validation, and a
    value the model refuses would fail every task of the workflow), with the checks a
    worker would make of the orders it leads to.

    ``recorded``: the policy the certificate has now. A wait it already holds passes
    as it is, even over the bound: one recorded before the bound must not make the
    certificate unmodifiable (the worker bounds what it uses).

    :raises InvalidInputError: a refused value, or a new renewal wait over 100 years.
    """
    try:
        spec = CertificateSpec.model_validate(spec.model_dump())
    except ValueError as exc:
        raise InvalidInputError(f"invalid certificate spec: {first_error(exc)}") from None
    over = spec.renewal.waits_over_bound(recorded)
    if over:
        raise InvalidInputError(over_bound_message(over[0]))
    with plugin_errors():
        check_request(spec.order_meta("check"))
    return spec


def first_error(exc: ValueError) -> str:
    """The first message of a pydantic validation error (or any ValueError), one line."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return str(errors()[0].get("msg", exc)).removeprefix("Value error, ")
    return str(exc)


class ManagedCertificates:
    def __init__(self, temporal: Client, settings: Settings) -> None:
        self._temporal = temporal
        self._settings = settings

    async def issue(self, name: str, spec: CertificateSpec) -> None:
        check_name(name)
        spec = check_spec(spec)
        with temporal_errors(self._settings.temporal_address):
            try:
                await self._temporal.start_workflow(
                    MANAGED_WORKFLOW_TYPE,
                    ManagedInput(name=name, spec=spec,
                                 call_timeout_seconds=self._settings.plugin_call_timeout_seconds),
                    id=managed_workflow_id(name), task_queue=self._settings.task_queue,
                    # A retired name may be issued again; a live one never twice.
                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    static_summary=managed_presentation.summary(
                        name, spec.dns_names, spec.ip_addresses))
            except WorkflowAlreadyStartedError:
                raise InvalidInputError(
                    f"managed certificate {name} exists (see `certorder cert show {name}`)"
                ) from None

    async def state(self, name: str) -> ManagedCertificate:
        check_name(name)
        handle = self._temporal.get_workflow_handle(managed_workflow_id(name))
        with self._errors(name):
            try:
                return await asyncio.wait_for(
                    handle.query("state", result_type=ManagedCertificate),
                    QUERY_TIMEOUT.total_seconds())
            except TimeoutError:
                raise WorkerUnavailableError(
                    f"no worker answered for certificate {name} within "
                    f"{QUERY_TIMEOUT.seconds} s: is a worker running?") from None

    async def states(self, names: Sequence[str]) -> dict[str, ManagedCertificate | CertOrderError]:
        """Each certificate's state, asked :data:`QUERY_CONCURRENCY` at a time. One that no
        worker answers is given as its error rather than raised: it must not hide the
        others, nor make everybody wait its timeout in turn. One retired meanwhile is left
        out."""
        gate = asyncio.Semaphore(QUERY_CONCURRENCY)

        async def one(name: str) -> ManagedCertificate | CertOrderError | None:
            async with gate:
                try:
                    return await self.state(name)
                except CertificateNotFoundError:
                    return None
                except CertOrderError as exc:
                    return exc

        answers = await asyncio.gather(*(one(name) for name in names))
        return {name: a for name, a in zip(names, answers, strict=True) if a is not None}

    async def renew(self, name: str) -> None:
        await self._signal(name, "renew")

    async def retire(self, name: str) -> None:
        await self._signal(name, "retire")

    async def modify(self, name: str, change: ModifyCertificate) -> ManagedCertificate:
        check_name(name)
        state = await self.state(name)
        try:
            changed = change.applied_to(state.pending_spec or state.spec)
        except ValueError as exc:
            raise InvalidInputError(first_error(exc)) from None
        check_spec(changed, recorded=(state.pending_spec or state.spec).renewal)
        handle = self._temporal.get_workflow_handle(managed_workflow_id(name))
        with self._errors(name):
            try:
                return await handle.execute_update(
                    "modify", change, result_type=ManagedCertificate)
            except WorkflowUpdateFailedError as exc:
                raise InvalidInputError(f"modify refused: {exc.cause}") from None

    async def names(self) -> list[str]:
        query = f'WorkflowType = "{MANAGED_WORKFLOW_TYPE}" AND ExecutionStatus = "Running"'
        found = []
        with temporal_errors(self._settings.temporal_address):
            async for execution in self._temporal.list_workflows(query, limit=10_000):
                found.append(execution.id.removeprefix(MANAGED_ID_PREFIX))
        return sorted(found)

    async def wait_issued(self, name: str, timeout: float) -> ManagedCertificate:
        """Poll until the first version is deployed or the first attempt failed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = await self.state(name)
            if state.versions or state.failures or state.status is ManagedStatus.RETIRED:
                return state
            if loop.time() > deadline:
                raise CertOrderError(f"certificate {name} not issued within {timeout:.0f} s")
            await asyncio.sleep(0.5)

    async def _signal(self, name: str, signal: str) -> None:
        check_name(name)
        with self._errors(name):
            await self._temporal.get_workflow_handle(managed_workflow_id(name)).signal(signal)

    def _errors(self, name: str):
        return _CertificateErrors(name, self._settings.temporal_address)


class _CertificateErrors:
    """temporal_errors, with "no such workflow" said as "no such certificate"."""

    def __init__(self, name: str, address: str) -> None:
        self._name, self._inner = name, temporal_errors(address)

    def __enter__(self) -> None:
        self._inner.__enter__()

    def __exit__(self, kind, exc, tb) -> bool:
        if isinstance(exc, RPCError) and exc.status == RPCStatusCode.NOT_FOUND:
            raise CertificateNotFoundError(self._name) from None
        return bool(self._inner.__exit__(kind, exc, tb))
