"""Activities that must not be dispatched eagerly.

With eager activity dispatch (the server's ``system.enableActivityEagerExecution``, on
in the dev server), an activity that a workflow task schedules on the workflow's own
task queue is handed straight back to the worker that completed the task. For a call
made again because that worker lacks the order's plugin this is the wrong worker: the
order stays in its cache, so every retry would come back to it and none would reach a
worker that has the plugin. Such calls go through the task queue instead, where any
worker may take them.

The SDK sets eagerness per worker only; :class:`EagerDispatchInterceptor` (registered
on every worker, ``certorder.worker.build_worker``) turns it off for the activities a
workflow starts inside ``dispatch(eager=False)``.
"""

from __future__ import annotations

from collections.abc import Iterator

from temporalio import workflow
from temporalio.worker import (
    Interceptor,
    StartActivityInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

with workflow.unsafe.imports_passed_through():
    from contextlib import contextmanager
    from contextvars import ContextVar

# Set only while a workflow schedules an activity (a synchronous call), so it cannot
# leak into another workflow's code on the same event loop.
_NOT_EAGERLY: ContextVar[bool] = ContextVar("eager_dispatch_off", default=False)


@contextmanager
def dispatch(*, eager: bool) -> Iterator[None]:
    """Activities started in this block may be dispatched eagerly, or (``eager=False``)
    go through the task queue."""
    token = _NOT_EAGERLY.set(not eager)
    try:
        yield
    finally:
        _NOT_EAGERLY.reset(token)


class EagerDispatchInterceptor(Interceptor):
    def workflow_interceptor_class(
            self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        return _Inbound


class _Inbound(WorkflowInboundInterceptor):
    def init(self, outbound: WorkflowOutboundInterceptor) -> None:
        super().init(_Outbound(outbound))


class _Outbound(WorkflowOutboundInterceptor):
    def start_activity(self, input: StartActivityInput) -> workflow.ActivityHandle:
        if _NOT_EAGERLY.get():
            input.disable_eager_execution = True
        return super().start_activity(input)
