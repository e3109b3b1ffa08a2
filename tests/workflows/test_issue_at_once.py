"""A quick plugin's first issue call is made by the order's first step, in the same
local activity (one history event fewer), but only where the workflow would have made
it next: never before an approval, and a failure there is made again and reported as
any call's is."""

from __future__ import annotations

import uuid

import pytest
from history_events import local_activities
from order_fixtures import issued_for, new_request
from order_harness import order_worker
from scripted_plugin import QuickScriptedPlugin

from certorder.activities.approval_rules import ApprovalRules
from certorder.activities.models import ApprovalPolicy
from certorder.client import CertOrderClient
from certorder.settings import Settings
from certorder.workflows.models import OrderDocument, OrderStatus

AWAITING = "awaiting approval"


@pytest.fixture
def plugin() -> QuickScriptedPlugin:
    return QuickScriptedPlugin("quick")


def _client(env, orders) -> CertOrderClient:
    address = env.client.service_client.config.target_host
    return CertOrderClient(Settings(temporal_address=address, task_queue=orders.task_queue),
                           env.client)


async def test_the_first_issue_is_made_by_the_first_step(temporal_env, plugin, tmp_path):
    request, order_id = new_request(), f"at-once-{uuid.uuid4().hex}"
    plugin.script(order_id, issued_for(request.csr))
    async with order_worker(temporal_env, {"quick": plugin}, tmp_path) as orders:
        handle = await orders.start({**request.order_meta, "plugin_name": "quick"},
                                    order_id=order_id)
        document = await orders.result(handle)
        history = await handle.fetch_history()
    assert document.status is OrderStatus.ACTIVE and document.container_id
    assert [call.method for call in plugin.calls_for(order_id)] == [
        "issue_certificate_request"]
    assert local_activities(history.events) == ["accept_order"]


async def test_a_failed_issue_in_the_first_step_is_made_again_by_the_workflow(
        temporal_env, plugin, tmp_path):
    request, order_id = new_request(), f"at-once-fails-{uuid.uuid4().hex}"
    plugin.script(order_id, RuntimeError("the CA hiccupped"), issued_for(request.csr))
    async with order_worker(temporal_env, {"quick": plugin}, tmp_path) as orders:
        handle = await orders.start({**request.order_meta, "plugin_name": "quick"},
                                    order_id=order_id)
        document = await orders.result(handle)
        history = await handle.fetch_history()
    assert document.status is OrderStatus.ACTIVE
    assert len(plugin.calls_for(order_id)) == 2
    assert local_activities(history.events) == ["accept_order", "quick_plugin_call"]


async def test_a_plugin_failure_is_still_reported_as_the_plugins(temporal_env, plugin, tmp_path):
    request, order_id = new_request(), f"at-once-raises-{uuid.uuid4().hex}"
    plugin.script(order_id, RuntimeError("boom"), RuntimeError("boom"))
    async with order_worker(temporal_env, {"quick": plugin}, tmp_path) as orders:
        handle = await orders.start({**request.order_meta, "plugin_name": "quick"},
                                    order_id=order_id)
        document = await orders.result(handle)
    assert document.status is OrderStatus.ERROR
    assert "boom" in (document.sub_status_message or "")


async def test_an_order_the_client_asks_approval_for_is_not_issued_first(
        temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"quick": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders)
        order_id = (await client.submit_order({**request.order_meta, "plugin_name": "quick"},
                                              f"ask-{uuid.uuid4().hex}",
                                              approval=ApprovalPolicy())).order_id
        handle = temporal_env.client.get_workflow_handle(order_id, result_type=OrderDocument)
        await orders.wait_for(handle, lambda d: d.sub_status == AWAITING)
        assert plugin.calls_for(order_id) == []
        await client.cancel(order_id, reason="withdrawn")
        await orders.result(handle)
    assert plugin.calls_for(order_id) == []


async def test_an_order_the_worker_requires_approval_for_is_not_issued_first(
        temporal_env, plugin, tmp_path):
    request, order_id = new_request(), f"rule-{uuid.uuid4().hex}"
    async with order_worker(temporal_env, {"quick": plugin}, tmp_path,
                            approvals=ApprovalRules(["quick"])) as orders:
        client = _client(temporal_env, orders)
        await client.submit_order({**request.order_meta, "plugin_name": "quick"}, order_id)
        handle = temporal_env.client.get_workflow_handle(order_id, result_type=OrderDocument)
        await orders.wait_for(handle, lambda d: d.sub_status == AWAITING)
        assert plugin.calls_for(order_id) == []
        await client.cancel(order_id, reason="withdrawn")
        await orders.result(handle)
    assert plugin.calls_for(order_id) == []
