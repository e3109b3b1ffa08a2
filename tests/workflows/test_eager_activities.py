"""Eager activity dispatch (``system.enableActivityEagerExecution``): the server hands an
activity that a workflow task schedules straight back to the worker that completed the
task. A worker without the order's plugin must not keep its retries to itself: each
would come back to it, never to the worker that has the plugin, for as long as the
order stays in its cache."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporal_server import start_dev_server
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from x509_helpers import make_csr, make_key

from certorder.plugins.manager import PluginManager
from certorder.workflows import backoff
from certorder.workflows.models import OrderStatus

EAGER = ["--dynamic-config-value", "system.enableActivityEagerExecution=true"]
WAITING = "waiting for a worker with the plugin"


@pytest.fixture
async def eager_env():
    env = await start_dev_server(*EAGER)
    yield env
    await env.shutdown()


async def test_a_worker_without_the_plugin_hands_the_retries_to_one_that_has_it(
        eager_env, tmp_path, monkeypatch):
    # Short backoff (the workflows run unsandboxed, so they see it): without the fix
    # every retry goes back to the worker without the plugin, and none ever arrives.
    monkeypatch.setattr(backoff, "NOT_ON_WORKER_FIRST", timedelta(milliseconds=50))
    monkeypatch.setattr(backoff, "NOT_ON_WORKER_MAX", timedelta(milliseconds=100))
    local_ca = PluginManager(["local-ca"], tmp_path / "ca")
    store = f"sqlite:///{tmp_path / 'certorder.db'}"  # one database, as in a deployment
    csr = make_csr(make_key("p256"), ["www.example.test"])
    try:
        async with order_worker(eager_env, {"scripted": ScriptedPlugin()}, tmp_path,
                                store_url=store, sandboxed=False) as without:
            handle = await without.start({"request_type": "simple-cmc", "request_data": csr,
                                          "plugin_name": "local-ca"})
            # The order is now cached on the worker without the plugin (sticky).
            await without.wait_for(handle, lambda d: d.sub_status == WAITING)
            # A worker of another process: a connection of its own.
            other = await Client.connect(eager_env.client.service_client.config.target_host,
                                         data_converter=pydantic_data_converter,
                                         identity="with-plugin")
            async with order_worker(SimpleNamespace(client=other), local_ca, tmp_path,
                                    store_url=store, task_queue=without.task_queue):
                document = await without.result(handle, timeout=20)
    finally:
        local_ca.close()
    assert document.status is OrderStatus.ACTIVE and document.certificate
    history = await handle.fetch_history()
    ran_on = [e.activity_task_started_event_attributes.identity for e in history.events
              if e.HasField("activity_task_started_event_attributes")]
    assert ran_on[-1] == "with-plugin" and set(ran_on[:-1]) == {without.client.identity}
