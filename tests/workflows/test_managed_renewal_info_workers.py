"""Asking the CA when to renew (ACME ARI) across workers: a worker without the plugin
says so and the certificate asks again, not of that worker alone (eager dispatch would
hand every ask back to it), until one with the plugin answers; and rechecks that go on
for long continue as new, so the history stays bounded."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from managed_helpers import spec, start, wait_for
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporal_server import start_dev_server
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from certorder.keys.envelope import Kek
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.renewal_info import RenewalWindow
from certorder.plugins.local_ca.plugin import LocalCAPlugin
from certorder.plugins.manager import PluginManager
from certorder.workflows import managed_renewal_window
from certorder.workflows.managed_models import RenewalPolicy

EAGER = ["--dynamic-config-value", "system.enableActivityEagerExecution=true"]


class WindowedCA(LocalCAPlugin):
    """Suggests a window a day ahead, to be asked again after a second."""

    def suggested_renewal_window(self, certificate, order_meta, plugin_meta):
        now = datetime.now(UTC)
        return RenewalWindow(start=now + timedelta(days=1), end=now + timedelta(days=2),
                             retry_after_seconds=1)


@pytest.fixture
async def eager_env():
    env = await start_dev_server(*EAGER)
    yield env
    await env.shutdown()


@pytest.fixture
async def short_histories():
    env = await start_dev_server("--dynamic-config-value",
                                 "limit.historyCount.suggestContinueAsNew=40")
    yield env
    await env.shutdown()


def _windowed(tmp_path) -> PluginManager:
    return PluginManager.from_plugins({"local-ca": WindowedCA(
        PluginContext(name="local-ca", data_dir=tmp_path / "ca"))})


async def test_a_worker_without_the_plugin_does_not_keep_the_asks_to_itself(
        eager_env, tmp_path, monkeypatch):
    answered, _ = await asks_across_workers(eager_env, tmp_path, monkeypatch)
    assert "(ARI)" in answered.next_renewal_reason
    assert "unavailable" not in answered.next_renewal_reason
    assert len(answered.versions) == 1


async def asks_across_workers(eager_env, tmp_path, monkeypatch, *, short_waits=True):
    """Issue with the plugin, ask on a worker without it, then add one with it; the
    state once answered, and the handle of the run that asked (ended, terminated).

    ``short_waits=False``: the real backoff (a minute, then two...), as
    ``tests/record_managed_histories.py`` records that run for the replay test: a
    history made with other waits would not replay on the code's own.
    """
    if short_waits:  # the workflows run unsandboxed, so they see these
        monkeypatch.setattr(managed_renewal_window, "NOT_ON_WORKER_FIRST",
                            timedelta(milliseconds=100))
        monkeypatch.setattr(managed_renewal_window, "NOT_ON_WORKER_MAX",
                            timedelta(milliseconds=200))
    asks, patience = (2, 30) if short_waits else (1, 600)
    store, kek = f"sqlite:///{tmp_path / 'certorder.db'}", Kek(os.urandom(32))
    other = await Client.connect(eager_env.client.service_client.config.target_host,
                                 data_converter=pydantic_data_converter,
                                 identity="with-plugin")
    with_plugin = SimpleNamespace(client=other)
    async with order_worker(with_plugin, _windowed(tmp_path), tmp_path, store_url=store,
                            kek=kek, sandboxed=False) as issuing:
        handle = await start(issuing.client, issuing.task_queue,
                             spec(renewal=RenewalPolicy()))
        await wait_for(handle, lambda s: s.renewal_window is not None)
    try:
        async with order_worker(eager_env, {"scripted": ScriptedPlugin()}, tmp_path,
                                store_url=store, kek=kek, task_queue=issuing.task_queue,
                                sandboxed=False):
            # Cached on this worker now; its asks reach no plugin, and it says so.
            waiting = await wait_for(handle, lambda s: s.renewal_info_not_on_worker >= asks)
            run = (await handle.describe()).run_id
            assert "renewal information unavailable (plugin 'local-ca', which issued the " \
                   "certificate, is not enabled on the worker that was asked)" \
                   in waiting.next_renewal_reason
            async with order_worker(with_plugin, _windowed(tmp_path), tmp_path,
                                    store_url=store, kek=kek, task_queue=issuing.task_queue,
                                    sandboxed=False):
                answered = await wait_for(
                    handle, lambda s: s.renewal_info_not_on_worker == 0, timeout=patience)
    finally:
        await handle.terminate("test over")
    return answered, issuing.client.get_workflow_handle(handle.id, run_id=run)


async def test_rechecks_that_go_on_continue_as_new(short_histories, tmp_path):
    history = await (await rechecks_continue(short_histories, tmp_path)).fetch_history()
    assert history.events[-1].HasField("workflow_execution_continued_as_new_event_attributes")
    assert len(history.events) < 80


async def rechecks_continue(short_histories, tmp_path):
    """Issue (the version's own continue-as-new), then recheck a second until the run
    continues as new again; the handle of that run (in the sandbox, as deployed code
    is tested; ``tests/record_managed_histories.py`` records it)."""
    async with order_worker(short_histories, _windowed(tmp_path), tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue, spec(renewal=RenewalPolicy()))
        try:
            after_version = await _next_run(handle, handle.first_execution_run_id)
            await _next_run(handle, after_version)
            state = await wait_for(handle, lambda s: s.renewal_window is not None)
            assert len(state.versions) == 1  # the same version, carried on
        finally:
            await handle.terminate("test over")
    return orders.client.get_workflow_handle(handle.id, run_id=after_version)


async def _next_run(handle, run_id: str, timeout: float = 30) -> str:
    deadline = asyncio.get_running_loop().time() + timeout
    while (current := (await handle.describe()).run_id) == run_id:
        assert asyncio.get_running_loop().time() < deadline, f"{run_id} never continued"
        await asyncio.sleep(0.2)
    return current
