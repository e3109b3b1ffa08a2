"""``cert revoke NAME`` and ``cert retire NAME --revoke`` with a real worker and the
local CA: a managed certificate's current certificate is revoked through the same
``revoke-<order id>`` workflow; keyCompromise replaces the key at once."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from pathlib import Path

import pytest
from cli_helpers import assert_one_line_error
from cryptography.hazmat.primitives import serialization
from managed_helpers import FAST, deployed_pair_matches, spec, start, wait_for
from order_harness import order_worker

from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.local_ca.plugin import LocalCAPlugin
from certorder.plugins.manager import PluginManager
from certorder.workflows.managed_models import ManagedStatus
from certorder.workflows.revocation_models import RevocationDocument

#: No renewal of its own during a test: renewals come from the revocation or `renew`.
SLOW = FAST.model_copy(update={"renew_at": 0.5})


class NoRevocationCA(LocalCAPlugin):
    def supports_revocation(self) -> bool:
        return False


@pytest.fixture
def shared(temporal_env, cli_env, monkeypatch):
    address = temporal_env.client.service_client.config.target_host
    queue = f"tq-revoke-managed-{uuid.uuid4().hex}"
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", queue)
    return queue, cli_env


class WaitingCA(LocalCAPlugin):
    """Its revocations wait (as through a CA outage) until ``answer`` is set."""

    answer = threading.Event()

    def revoke_certificate(self, *args, **kwargs):
        self.answer.wait(20)
        return super().revoke_certificate(*args, **kwargs)


def _manager(cls, data_dir) -> PluginManager:
    plugin = cls(PluginContext(name="local-ca", data_dir=data_dir / "plugins" / "local-ca"))
    return PluginManager.from_plugins({"local-ca": plugin})


async def _cli(run_cli, *argv):
    return await asyncio.to_thread(run_cli, *argv)


def _deployed_key(deploy: Path) -> bytes:
    key = serialization.load_pem_private_key(
        (Path(os.path.realpath(deploy / "current")) / "privkey.pem").read_bytes(), None)
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


async def _retired(*handles) -> None:
    # Ended before the worker goes: a running one without a worker would stall
    # `cert list` (which queries every running managed certificate) in later tests.
    for handle in handles:
        await handle.signal("retire")
        await asyncio.wait_for(handle.result(), 30)


async def _revocations_of(temporal_env, name: str) -> list[str]:
    query = f"WorkflowId STARTS_WITH 'revoke-certificate-{name}-'"
    return [w.id async for w in temporal_env.client.list_workflows(query)]


async def test_key_compromise_by_name_revokes_and_renews_at_once_with_a_new_key(
        temporal_env, shared, run_cli, tmp_path):
    queue, data_dir = shared
    deploy = tmp_path / "deploy"
    async with order_worker(temporal_env, _manager(LocalCAPlugin, data_dir), data_dir,
                            task_queue=queue) as orders:
        handle = await start(orders.client, queue, spec(deploy, renewal=SLOW, reuse_key=True))
        name = handle.id.removeprefix("certificate-")
        first = await wait_for(handle, lambda s: len(s.versions) == 1)
        v1 = first.versions[0]
        old_key = _deployed_key(deploy)
        revoked = await _cli(run_cli, "cert", "revoke", name, "--reason", "keyCompromise",
                             "--wait")
        second = await wait_for(handle, lambda s: len(s.versions) == 2)
        after_compromise = _deployed_key(deploy)
        # --reuse-key still holds, for the new key: the compromised one never returns.
        renewed = await _cli(run_cli, "cert", "renew", name)
        third = await wait_for(handle, lambda s: len(s.versions) == 3)
        after_renewal = _deployed_key(deploy)
        document = await orders.client.get_workflow_handle(
            f"revoke-{v1.order_id}", result_type=RevocationDocument).result()
        # By order id: v2's order is a child of the managed workflow, found as its parent.
        # v3 shares v2's key (--reuse-key), so the current key goes too.
        v2_order = third.versions[1].order_id
        by_order = await _cli(run_cli, "cert", "revoke", v2_order, "--reason",
                              "keyCompromise", "--wait")
        fourth = await wait_for(handle, lambda s: len(s.versions) == 4)
        await _retired(handle)
    assert revoked.code == 0, revoked
    assert revoked.out.startswith(f"{v1.order_id}: REVOKED (keyCompromise)")
    assert f"certificate {name}: revoking its current certificate (order {v1.order_id})" \
        in revoked.err
    assert f"told certificate-{name}: renew with a new key" in [s.outcome for s in document.steps]
    assert orders.store.revocations.get(v1.order_id).reason == "keyCompromise"
    v2, v3 = second.versions[1], third.versions[2]
    assert v2.key_id != v1.key_id and v2.serial != v1.serial
    assert renewed.code == 0 and v3.key_id == v2.key_id and v3.serial != v2.serial
    assert v1.key_id in third.compromised_key_ids
    assert after_compromise != old_key and after_renewal == after_compromise
    assert _deployed_key(deploy) not in (old_key, after_compromise)
    assert deployed_pair_matches(deploy / "current") == (True, "v4")
    assert third.status is ManagedStatus.ACTIVE
    assert by_order.code == 0 and by_order.out.startswith(f"{v2_order}: REVOKED")
    assert fourth.versions[3].key_id not in (v1.key_id, v2.key_id)
    assert sorted(fourth.compromised_key_ids) == sorted([v1.key_id, v2.key_id])


async def test_retire_revoke_revokes_the_current_certificate_and_renews_nothing(
        temporal_env, shared, run_cli, tmp_path):
    queue, data_dir = shared
    async with order_worker(temporal_env, _manager(LocalCAPlugin, data_dir), data_dir,
                            task_queue=queue) as orders:
        handle = await start(orders.client, queue, spec(renewal=SLOW))
        name = handle.id.removeprefix("certificate-")
        first = await wait_for(handle, lambda s: len(s.versions) == 1)
        retired = await _cli(run_cli, "cert", "retire", name, "--revoke", "--wait")
        final = await asyncio.wait_for(handle.result(), 30)
    order_id = first.versions[0].order_id
    assert retired.code == 0, retired
    assert f"certificate {name}: retired" in retired.out
    assert f"{order_id}: REVOKED (cessationOfOperation)" in retired.out
    assert final.status is ManagedStatus.RETIRED and len(final.versions) == 1
    assert orders.store.revocations.get(order_id).reason == "cessationOfOperation"


async def test_retire_revoke_wait_retires_while_the_revocation_still_waits(
        temporal_env, shared, run_cli):
    queue, data_dir = shared
    WaitingCA.answer.clear()
    async with order_worker(temporal_env, _manager(WaitingCA, data_dir), data_dir,
                            task_queue=queue) as orders:
        handle = await start(orders.client, queue, spec(renewal=SLOW))
        name = handle.id.removeprefix("certificate-")
        first = await wait_for(handle, lambda s: len(s.versions) == 1)
        retiring = asyncio.create_task(
            _cli(run_cli, "cert", "retire", name, "--revoke", "--wait"))
        try:
            # Retired while the CA has not answered: no renewal can slip in meanwhile.
            final = await asyncio.wait_for(asyncio.shield(handle.result()), 10)
            still_waiting = not retiring.done()
        finally:
            WaitingCA.answer.set()
        retired = await asyncio.wait_for(retiring, 30)
    assert final.status is ManagedStatus.RETIRED and len(final.versions) == 1
    assert still_waiting
    order_id = first.versions[0].order_id
    assert retired.code == 0, retired
    assert f"certificate {name}: retired" in retired.out
    assert f"{order_id}: REVOKED (cessationOfOperation)" in retired.out


async def test_bad_names_are_one_line_exit_2_and_start_nothing(temporal_env, shared, run_cli):
    queue, data_dir = shared
    async with order_worker(temporal_env, _manager(LocalCAPlugin, data_dir), data_dir,
                            task_queue=queue) as orders:
        # An unknown plugin: every order is rejected, so there is never a certificate.
        waiting = await start(orders.client, queue, spec(renewal=SLOW, plugin_name="ghost"))
        name = waiting.id.removeprefix("certificate-")
        await wait_for(waiting, lambda s: s.failures >= 1)
        issued = await start(orders.client, queue, spec(renewal=SLOW))
        good = issued.id.removeprefix("certificate-")
        await wait_for(issued, lambda s: len(s.versions) == 1)
        cases = [
            (("revoke", "ghost-name", "--reason", "keyCompromise"),
             "no order or managed certificate ghost-name"),
            (("revoke", name, "--reason", "keyCompromise"),
             f"managed certificate {name} has no certificate yet (ISSUING)"),
            (("revoke", good, "--reason", "stolen"), "unknown revocation reason 'stolen'"),
            (("retire", name, "--revoke"), f"certificate {name} has no certificate to revoke"),
            (("retire", good, "--revoke", "--reason", "stolen"),
             "unknown revocation reason 'stolen'"),
            (("retire", "ghost-name", "--revoke"), "no managed certificate ghost-name"),
        ]
        for argv, message in cases:
            assert_one_line_error(await _cli(run_cli, "cert", *argv), 2, message)
        for certificate in (name, good, "ghost-name"):
            assert await _revocations_of(temporal_env, certificate) == []
        state = await wait_for(issued, lambda s: True)
        await _retired(waiting, issued)
    assert state.status is ManagedStatus.ACTIVE  # not retired by a refused retire --revoke


async def test_a_plugin_without_revocation_refuses_by_name_and_keeps_the_certificate(
        temporal_env, shared, run_cli):
    queue, data_dir = shared
    async with order_worker(temporal_env, _manager(NoRevocationCA, data_dir), data_dir,
                            task_queue=queue) as orders:
        handle = await start(orders.client, queue, spec(renewal=SLOW))
        name = handle.id.removeprefix("certificate-")
        first = await wait_for(handle, lambda s: len(s.versions) == 1)
        order_id = first.versions[0].order_id
        result = await _cli(run_cli, "cert", "revoke", name, "--reason", "keyCompromise")
        retire = await _cli(run_cli, "cert", "retire", name, "--revoke")
        state = await wait_for(handle, lambda s: True)
        await _retired(handle)
    message = f"cannot revoke order {order_id}: plugin 'local-ca' offers no revocation"
    assert_one_line_error(result, 2, message)
    assert_one_line_error(retire, 2, message)
    # Refused before anything reached the CA: no compromise was reported, no renewal.
    assert len(state.versions) == 1 and state.compromised_key_ids == []
    assert state.status is ManagedStatus.ACTIVE
