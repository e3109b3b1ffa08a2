"""The ``compromised`` signal on a managed certificate with --reuse-key: a renewal whose
order is running on the compromised key is never deployed; a new key is made at once."""

from __future__ import annotations

import asyncio
import threading

from managed_helpers import FAST, deployed_pair_matches, spec, spki, start, wait_for
from order_harness import order_worker

from certorder.plugins import ResultDTO
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.local_ca.plugin import LocalCAPlugin
from certorder.plugins.manager import PluginManager
from certorder.workflows.managed_models import KeyCompromised, ManagedStatus
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow


class HeldCA(LocalCAPlugin):
    """The local CA, which keeps new orders waiting while ``hold`` is set."""

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self.hold = threading.Event()
        self.held: set[str] = set()

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        if self.hold.is_set():
            self.held.add(order_id)
            return ResultDTO(status=CertificateStatus.WAITING_FOR_CA, retry_msec=100)
        return super().issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta):
        return self.issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)


async def test_an_order_on_a_key_reported_compromised_meanwhile_is_not_deployed(
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
        await handle.signal(ManagedCertificateWorkflow.retire)
        await asyncio.wait_for(handle.result(), 30)
    held_order = renewing.current_order_id
    assert renewing.status is ManagedStatus.RENEWING
    v2 = second.versions[1]
    assert v2.key_id != v1.key_id and v2.order_id != held_order
    assert orders.store.get_by_order(held_order) is not None  # issued, but never deployed
    assert second.compromised_key_ids == [v1.key_id]
    assert second.orders_started == 3
    ok, version_dir = deployed_pair_matches(deploy / "current")
    assert ok and version_dir == "v2"
    assert spki(key.public_key()) != spki(orders.keys.private_key(v1.key_id).public_key())
