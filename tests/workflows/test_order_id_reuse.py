"""An order id is used once for good: even after Temporal has forgotten the first order."""

from __future__ import annotations

import uuid

import pytest
from order_fixtures import issued_for, new_request, waiting
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.common import WorkflowIDReusePolicy

from certorder.workflows.models import OrderDocument, OrderStatus


@pytest.fixture
def plugin() -> ScriptedPlugin:
    return ScriptedPlugin()


async def test_a_reused_id_is_refused_and_the_first_certificate_kept(temporal_env, plugin,
                                                                     tmp_path):
    first, second = new_request("first.example.test"), new_request("second.example.test")
    order_id = f"order-{uuid.uuid4().hex}"
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        plugin.script(order_id, issued_for(first.csr))
        done = await orders.result(await orders.start(first.order_meta, order_id=order_id))
        stored = orders.store.get_by_order(order_id)
        # What Temporal does once the first workflow is past its retention period:
        # the same workflow id may start again.
        again = await orders.start(second.order_meta, order_id=order_id,
                                   id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE)
        plugin.script(order_id, issued_for(second.csr))
        refused = await orders.result(again)
        kept = orders.store.get_by_order(order_id)
    assert done.status is OrderStatus.ACTIVE
    assert refused.status is OrderStatus.ERROR
    assert refused.sub_status == "order id reused"
    assert f"order id {order_id} was already used" in refused.sub_status_message
    assert refused.container_id is None
    assert kept == stored
    assert [call.method for call in plugin.calls] == ["issue_certificate_request"]


async def test_a_reset_order_keeps_its_own_id(temporal_env, plugin, tmp_path):
    # An operator's reset (Temporal UI) reruns the order as a new run of the same
    # chain: its id is still its own, not "reused".
    request = new_request()
    order_id = f"order-{uuid.uuid4().hex}"
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        plugin.script(order_id, waiting(3_600_000, "queued"))
        handle = await orders.start(request.order_meta, order_id=order_id)
        await orders.wait_for(handle, lambda d: len(d.transitions) == 1)
        plugin.script(order_id, issued_for(request.csr))
        reset = await temporal_env.client.workflow_service.reset_workflow_execution(
            ResetWorkflowExecutionRequest(
                namespace=temporal_env.client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=order_id),
                reason="test", workflow_task_finish_event_id=4,
                request_id=uuid.uuid4().hex))
        done = await orders.result(temporal_env.client.get_workflow_handle(
            order_id, run_id=reset.run_id, result_type=OrderDocument))
    assert done.status is OrderStatus.ACTIVE, done
