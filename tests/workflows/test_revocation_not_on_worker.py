"""A revocation whose workflow runs on a worker without the certificate's plugin (a
rolling deploy, or workers with different CAs on one task queue) waits for a worker
that has it, as an order does, instead of being refused or failing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

import pytest
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin
from temporal_server import start_dev_server
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from x509_helpers import make_csr, make_key

from certorder.client import CertOrderClient
from certorder.client_revocation import start_revocation, wait_revocation
from certorder.plugins import RevocationReason
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.workflows import backoff
from certorder.workflows.models import OrderStatus
from certorder.workflows.revocation_fsm import RevocationState
from certorder.workflows.revocation_models import RevocationDocument, RevocationInput
from certorder.workflows.revocation_workflow import _not_told_yet

WAITING = "waiting for a worker with the plugin"


@pytest.fixture
async def short_histories():
    """A server that suggests continue-as-new after 40 events: a long wait for the
    plugin continues as new, as any long wait must."""
    env = await start_dev_server(
        "--dynamic-config-value", "limit.historyCount.suggestContinueAsNew=40")
    yield env
    await env.shutdown()


async def test_a_revocation_on_a_worker_without_the_plugin_waits_for_one_with_it(
        temporal_env, tmp_path, monkeypatch):
    await _waits_for_the_plugin(temporal_env, tmp_path, monkeypatch, continued=False)


async def test_a_long_wait_for_the_plugin_continues_as_new_and_still_revokes(
        short_histories, tmp_path, monkeypatch):
    await _waits_for_the_plugin(short_histories, tmp_path, monkeypatch, continued=True)


async def _waits_for_the_plugin(temporal_env, tmp_path, monkeypatch, *,
                                continued: bool) -> str:
    """Issue, revoke on a worker without the plugin, then give it one; the order id.
    (``tests/record_revocation_histories.py`` records its history for the replay test.)"""
    # Short waits (the workflows run unsandboxed, so they see them).
    monkeypatch.setattr(backoff, "NOT_ON_WORKER_FIRST", timedelta(milliseconds=50))
    monkeypatch.setattr(backoff, "NOT_ON_WORKER_MAX", timedelta(milliseconds=100))
    local_ca = PluginManager(["local-ca"], tmp_path / "ca")
    store = f"sqlite:///{tmp_path / 'certorder.db'}"  # one database, as in a deployment
    address = temporal_env.client.service_client.config.target_host
    other = await Client.connect(address, data_converter=pydantic_data_converter,
                                 identity="with-plugin")
    with_plugin = SimpleNamespace(client=other)
    try:
        async with order_worker(with_plugin, local_ca, tmp_path, store_url=store) as issuing:
            csr = make_csr(make_key("p256"), ["rev.example.test"])
            handle = await issuing.start({"request_type": "simple-cmc", "request_data": csr})
            assert (await issuing.result(handle)).status is OrderStatus.ACTIVE
        async with order_worker(temporal_env, {"scripted": ScriptedPlugin()}, tmp_path,
                                store_url=store, task_queue=issuing.task_queue,
                                sandboxed=False) as without:
            client = CertOrderClient(Settings(task_queue=without.task_queue,
                                              data_dir=tmp_path, store_url=store,
                                              plugin_call_timeout_seconds=10),
                                     temporal_env.client)
            started = await start_revocation(client, handle.id, "superseded")
            # Waiting is no verdict yet: the plugin may still offer no revocation.
            assert started.state is RevocationState.REVOKING and not started.checked, started
            assert started.message and "not enabled on this worker" in started.message
            assert started.waiting_for_plugin and started.plugin_name == "local-ca"
            assert started.model_dump(mode="json")["waiting_for_plugin"] is True  # --json
            if continued:  # a few runs of waiting first
                await _until_continued(
                    temporal_env.client.get_workflow_handle(f"revoke-{handle.id}"))
            async with order_worker(with_plugin, local_ca, tmp_path, store_url=store,
                                    task_queue=without.task_queue):
                done = await asyncio.wait_for(
                    wait_revocation(client, handle.id, poll_seconds=0.05), 20)
    finally:
        local_ca.close()
    assert done.state is RevocationState.REVOKED, done
    assert WAITING in [step.outcome for step in done.steps]
    assert without.store.revocations.get(handle.id) is not None
    return handle.id


async def _until_continued(handle, timeout: float = 15) -> None:
    first = (await handle.describe()).run_id
    deadline = asyncio.get_running_loop().time() + timeout
    while (await handle.describe()).run_id == first:
        assert asyncio.get_running_loop().time() < deadline, "never continued as new"
        await asyncio.sleep(0.1)


def test_a_key_compromise_is_told_once_across_continued_runs():
    first = RevocationInput(order_id="o1", reason=RevocationReason.KEY_COMPROMISE,
                            managed_workflow_id="certificate-www")
    carried = RevocationDocument(order_id="o1", reason=RevocationReason.KEY_COMPROMISE)

    def continued(run: RevocationInput, before_target: bool) -> RevocationInput:
        # As the workflow continues: while finding the target, or after (told by then).
        flag = _not_told_yet(run) if before_target else False
        return run.model_copy(update={"carried_document": carried,
                                      "carried_before_target": flag})

    assert _not_told_yet(first)
    waited = continued(continued(first, True), True)  # two runs of waiting for the plugin
    assert _not_told_yet(waited)  # the run that finds the target tells
    after = continued(waited, False)
    assert not _not_told_yet(after)
    assert not _not_told_yet(continued(after, True))  # waits again later: told already
