"""The ``compromised`` signal on a managed certificate with --reuse-key: a renewal whose
order is running on the compromised key is never deployed but revoked (keyCompromise);
a new key is made at once."""

from __future__ import annotations

import asyncio

from cryptography import x509
from held_ca import HeldCA
from managed_helpers import FAST, deployed_pair_matches, spec, spki, start, wait_for
from order_harness import order_worker

from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.manager import PluginManager
from certorder.workflows.managed_models import KeyCompromised, ManagedStatus
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow
from certorder.workflows.revocation_fsm import RevocationState
from certorder.workflows.revocation_models import RevocationDocument, revocation_workflow_id


def _serial(pem: str) -> int:
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


async def test_an_order_on_a_key_reported_compromised_meanwhile_is_revoked_not_deployed(
        temporal_env, tmp_path):
    plugin = HeldCA(PluginContext(name="local-ca", data_dir=tmp_path / "ca"))
    deploy = tmp_path / "deploy"
    slow = FAST.model_copy(update={"renew_at": 0.5})
    async with order_worker(temporal_env, PluginManager.from_plugins({"local-ca": plugin}),
                            tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue,
                             spec(deploy, renewal=slow, reuse_key=True))
        first = await wait_for(handle, lambda s: len(s.versions) == 1)
        v1 = first.versions[0]
        plugin.hold.set()
        await handle.signal(ManagedCertificateWorkflow.renew)
        renewing = await wait_for(handle, lambda s: s.current_order_id in plugin.held)
        await handle.signal(ManagedCertificateWorkflow.compromised,
                            KeyCompromised(order_id=v1.order_id))
        await handle.signal(ManagedCertificateWorkflow.compromised,  # a repeat: ignored
                            KeyCompromised(order_id=v1.order_id))
        plugin.hold.clear()
        second = await wait_for(handle, lambda s: len(s.versions) == 2)
        key = orders.keys.private_key(second.versions[1].key_id)
        revocation = orders.client.get_workflow_handle(
            revocation_workflow_id(renewing.current_order_id), result_type=RevocationDocument)
        revoked = await asyncio.wait_for(revocation.result(), 30)
        await handle.signal(ManagedCertificateWorkflow.retire)
        await asyncio.wait_for(handle.result(), 30)
    held_order = renewing.current_order_id
    held_serial = _serial(orders.store.get_by_order(held_order).certificate)
    assert revoked.state is RevocationState.REVOKED and revoked.calls == 1, revoked
    assert revoked.reason.value == "keyCompromise"
    assert not [step for step in revoked.steps if step.outcome.startswith("told")]
    assert orders.store.revocations.get(held_order).reason == "keyCompromise"
    crl = x509.load_pem_x509_crl(plugin.get_crl(None).encode())
    assert [entry.serial_number for entry in crl] == [held_serial]  # v1: revoked by no one here
    assert renewing.status is ManagedStatus.RENEWING
    v2 = second.versions[1]
    assert v2.key_id != v1.key_id and v2.order_id != held_order
    assert _serial(orders.store.get_by_order(v2.order_id).certificate) != held_serial
    assert second.compromised_key_ids == [v1.key_id]
    assert second.orders_started == 3
    ok, version_dir = deployed_pair_matches(deploy / "current")
    assert ok and version_dir == "v2"
    assert spki(key.public_key()) != spki(orders.keys.private_key(v1.key_id).public_key())
