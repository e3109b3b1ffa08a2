"""Orders survive what happens around them: bad certificates, long histories, dead workers."""

from __future__ import annotations

import asyncio
import threading

import pytest
from order_fixtures import issued_for, new_request, waiting
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporal_server import start_dev_server
from temporalio.api.sdk.v1 import WorkflowMetadata

from certorder.plugins import CertificateStatus
from certorder.workflows import search_attributes as sa
from certorder.workflows.models import OrderStatus

S = CertificateStatus


@pytest.fixture
def plugin() -> ScriptedPlugin:
    return ScriptedPlugin()


async def test_certificate_for_another_key_is_rejected_and_not_stored(temporal_env, plugin,
                                                                      tmp_path):
    request, other = new_request(), new_request("other.example.test")
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, issued_for(other.csr))
        doc = await orders.result(handle)
        assert orders.store.get_by_order(handle.id) is None
    assert doc.status is OrderStatus.ERROR
    assert doc.sub_status == "certificate rejected"
    assert "public key does not match" in doc.sub_status_message
    assert doc.container_id is None


async def test_search_attributes_and_details_follow_the_order(temporal_env, plugin, tmp_path):
    request = new_request()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(3_600_000, "queued"))
        await orders.wait_for(handle, lambda d: len(d.transitions) == 1)
        attrs = (await handle.describe()).typed_search_attributes
        # What the UI's "Current details" panel shows (a built-in query).
        metadata = await handle.query("__temporal_workflow_metadata",
                                      result_type=WorkflowMetadata)
        listed = await _listed(orders.client, f"CertificateOrderStatus = 'PENDING' AND "
                                              f"CertificatePluginName = 'scripted' AND "
                                              f"WorkflowId = '{handle.id}'")
        await handle.terminate("test over")
    assert attrs.get(sa.ORDER_STATUS) == "PENDING"
    assert attrs.get(sa.ORDER_SUB_STATUS) == S.WAITING_FOR_CA.value
    assert attrs.get(sa.PLUGIN_NAME) == "scripted"
    assert listed == [handle.id]
    details = metadata.current_details
    assert "**Status:** PENDING" in details and "**Message:** queued" in details
    assert "**Next:** waiting for CA: check in 1h0m0s (at " in details
    assert attrs.get(sa.NEXT_ATTEMPT) is not None
    history = await handle.fetch_history()
    summaries = [e.user_metadata.summary.data for e in history.events
                 if e.HasField("user_metadata") and e.user_metadata.HasField("summary")]
    text = b" ".join(summaries).decode()
    assert "scripted.issue_certificate_request" in text
    assert "waiting for CA: check in 1h0m0s (at " in text and " UTC)" in text


async def _listed(client, query: str, timeout: float = 10) -> list[str]:
    """Workflow ids matching a visibility query, once visibility has caught up."""
    for _ in range(int(timeout / 0.1)):
        found = [w.id async for w in client.list_workflows(query)]
        if found:
            return found
        await asyncio.sleep(0.1)
    return []


async def test_continue_as_new_keeps_the_order_intact(tmp_path):
    env = await start_dev_server(
        "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=40")
    plugin = ScriptedPlugin()
    request = new_request()

    def poll(order_meta, plugin_meta):
        plugin_meta["polls"] = plugin_meta.get("polls", 0) + 1
        return waiting(5, f"poll {plugin_meta['polls']}")

    try:
        async with order_worker(env, {"scripted": plugin}, tmp_path) as orders:
            handle = await orders.start(request.order_meta)
            plugin.script(handle.id, *[poll] * 15, issued_for(request.csr))
            doc = await orders.result(handle, timeout=60)
            runs = await _run_chain(orders.client, handle.id, handle.first_execution_run_id)
    finally:
        await env.shutdown()
    calls = plugin.calls_for(handle.id)
    assert calls[-1].plugin_meta == {"polls": 15}  # plugin_meta carried across runs
    assert doc.status is OrderStatus.ACTIVE
    assert len(doc.transitions) == 16
    assert doc.container_id is not None
    assert len(runs) >= 3, f"expected at least two continue-as-new, got runs {runs}"
    assert doc.transitions[0].method == "issue_certificate_request"


async def _run_chain(client, workflow_id: str, run_id: str) -> list[str]:
    """Run ids of an order from its first run, following continue-as-new."""
    chain = [run_id]
    while True:
        history = await client.get_workflow_handle(workflow_id, run_id=chain[-1]).fetch_history()
        nxt = [e.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
               for e in history.events
               if e.HasField("workflow_execution_continued_as_new_event_attributes")]
        if not nxt:
            return chain
        chain.append(nxt[0])


async def test_worker_stopped_mid_order_then_restarted_completes_once(temporal_env, plugin,
                                                                      tmp_path):
    request = new_request()
    in_call, release = threading.Event(), threading.Event()
    plugin_calls = []

    def first_check(order_meta, plugin_meta):
        plugin_calls.append("check")
        in_call.set()
        release.wait(5)
        return waiting(10)

    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        queue = orders.task_queue
        handle = await orders.start(request.order_meta)
        plugin.script(handle.id, waiting(10), first_check)
        assert await asyncio.to_thread(in_call.wait, 10)
        release.set()
    # The first worker is gone. The order waits in Temporal until a worker comes back.
    await asyncio.sleep(0.3)
    assert (await handle.describe()).status.name == "RUNNING"
    plugin.script(handle.id, waiting(10), issued_for(request.csr))
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path,
                            task_queue=queue) as orders:
        doc = await orders.result(handle, timeout=30)
        assert orders.store.count_containers() == 1
        assert doc.container_id == orders.store.get_by_order(handle.id).container_id
    assert doc.status is OrderStatus.ACTIVE
