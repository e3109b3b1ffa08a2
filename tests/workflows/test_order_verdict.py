"""Submitting through the SDK: the workers' verdict comes back with the start
(update-with-start), so the client needs no plugin, and a worker without the order's
plugin leaves the order for one that has it."""

from __future__ import annotations

import asyncio
import time

import pytest
from order_fixtures import result
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporalio.client import WorkflowExecutionStatus
from x509_helpers import make_csr, make_key

from certorder.client import CertOrderClient
from certorder.client_errors import OrderExistsError
from certorder.client_submit import OrderRejectedError
from certorder.plugins import CertificateStatus as S
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.workflows.models import OrderDocument, OrderStatus
from certorder.workflows.search_attributes import PLUGIN_NAME

WAITING = "waiting for a worker with the plugin"


def _client(temporal_env, task_queue: str) -> CertOrderClient:
    address = temporal_env.client.service_client.config.target_host
    return CertOrderClient(Settings(temporal_address=address, task_queue=task_queue),
                           temporal_env.client)


def _order(**extra) -> dict:
    csr = make_csr(make_key("p256"), ["www.example.test"])
    return {"request_type": "simple-cmc", "request_data": csr, **extra}


@pytest.fixture
def local_ca(tmp_path) -> PluginManager:
    manager = PluginManager(["local-ca"], tmp_path / "data")
    yield manager
    manager.close()


async def test_an_accepted_order_names_its_plugin_and_completes(temporal_env, local_ca, tmp_path):
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        client = _client(temporal_env, orders.task_queue)
        submission = await client.submit_order(_order())
        assert submission.verdict.accepted and not submission.verdict.waiting
        assert submission.verdict.plugin_name == "local-ca"
        document = await client.wait(submission.order_id, poll_seconds=0.05, timeout=30)
    assert document.status is OrderStatus.ACTIVE
    described = await temporal_env.client.get_workflow_handle(submission.order_id).describe()
    assert described.typed_search_attributes.get(PLUGIN_NAME) == "local-ca"


async def test_a_rejected_order_is_refused_at_once_recorded_and_its_id_free_again(
        temporal_env, local_ca, tmp_path):
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        client = _client(temporal_env, orders.task_queue)
        started = time.monotonic()
        with pytest.raises(OrderRejectedError, match="unknown plugin 'ghost'"):
            await client.submit_order(_order(plugin_name="ghost"), order_id="verdict-1")
        assert time.monotonic() - started < 5
        recorded = await client.status("verdict-1")
        assert recorded.status is OrderStatus.ERROR
        assert "unknown plugin 'ghost'" in recorded.sub_status_message
        handle = temporal_env.client.get_workflow_handle("verdict-1")
        assert (await handle.describe()).status is WorkflowExecutionStatus.FAILED

        again = await client.submit_order(_order(), order_id="verdict-1")
        assert again.verdict.accepted
        document = await client.wait("verdict-1", poll_seconds=0.05, timeout=30)
    assert document.status is OrderStatus.ACTIVE
    assert orders.store.get_by_order("verdict-1") is not None


async def test_a_worker_without_the_plugin_leaves_the_order_to_one_that_has_it(
        temporal_env, local_ca, tmp_path):
    # A rolling deploy: the first worker has only another plugin (local-ca is installed
    # in this environment but not enabled there).
    async with order_worker(temporal_env, {"scripted": ScriptedPlugin()},
                            tmp_path / "old") as old:
        client = _client(temporal_env, old.task_queue)
        submission = await client.submit_order(_order(plugin_name="local-ca"))
        assert submission.verdict.accepted and submission.verdict.waiting
        assert "does not have plugin 'local-ca' enabled" in submission.verdict.message
        assert temporal_env.client.identity in submission.verdict.message
        handle = temporal_env.client.get_workflow_handle(submission.order_id,
                                                         result_type=OrderDocument)
        waiting = await old.wait_for(handle, lambda d: d.sub_status == WAITING)
        assert waiting.status is OrderStatus.PENDING and waiting.plugin_name == "local-ca"
    async with order_worker(temporal_env, local_ca, tmp_path / "new",
                            task_queue=old.task_queue) as new:
        document = await new.result(handle, timeout=60)
    assert document.status is OrderStatus.ACTIVE
    assert new.store.get_by_order(submission.order_id) is not None
    methods = [t.method for t in document.transitions]
    assert methods.count("issue_certificate_request") >= 2  # waited, then issued


async def test_an_order_waiting_for_its_plugin_is_canceled_without_the_ca(temporal_env, tmp_path):
    async with order_worker(temporal_env, {"scripted": ScriptedPlugin()}, tmp_path) as orders:
        client = _client(temporal_env, orders.task_queue)
        submission = await client.submit_order(_order(plugin_name="local-ca"))
        handle = temporal_env.client.get_workflow_handle(submission.order_id,
                                                         result_type=OrderDocument)
        await orders.wait_for(handle, lambda d: d.sub_status == WAITING)
        await client.cancel(submission.order_id, reason="wrong plugin")
        document = await orders.result(handle)
    assert (document.status, document.sub_status) == (OrderStatus.ACTIVE, "request canceled")
    assert "before submission" in document.sub_status_message


async def test_no_worker_at_all_still_starts_the_order_durably(temporal_env, local_ca, tmp_path):
    client = _client(temporal_env, "tq-verdict-nobody-yet")
    submission = await client.submit_order(_order())
    assert submission.verdict.waiting and "no worker polls" in submission.verdict.message
    async with order_worker(temporal_env, local_ca, tmp_path,
                            task_queue="tq-verdict-nobody-yet") as orders:
        handle = temporal_env.client.get_workflow_handle(submission.order_id,
                                                         result_type=OrderDocument)
        document = await asyncio.wait_for(orders.result(handle), 30)
    assert document.status is OrderStatus.ACTIVE


async def test_an_order_that_ended_error_keeps_its_id_for_good(temporal_env, tmp_path):
    plugin = ScriptedPlugin()
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        client = _client(temporal_env, orders.task_queue)
        plugin.script("ended-error-1", result(S.INVALID_OPERATION, "profile not allowed"))
        await client.submit_order(_order(plugin_name="scripted"), order_id="ended-error-1")
        document = await client.wait("ended-error-1", poll_seconds=0.05, timeout=30)
        assert document.status is OrderStatus.ERROR
        assert document.sub_status == S.INVALID_OPERATION.value
        # Its run failed (as every ERROR order's does), yet the id is not free again.
        with pytest.raises(OrderExistsError):
            await client.submit_order(_order(plugin_name="scripted"), order_id="ended-error-1")
    assert len(plugin.calls_for("ended-error-1")) == 1
