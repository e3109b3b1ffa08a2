"""Record managed-certificate histories for the replay test:
``python tests/record_managed_histories.py v0.4`` (or ``v0.5 discard``, ``v0.7
not-on-worker``).

One managed certificate on the local CA, whose plugin suggests a renewal window (ARI,
re-checked after 1 s), then revoked for keyCompromise by name: the run that takes the
``compromised`` signal and renews with a new key, and the revocation that sent it.

``discard``: a ``--reuse-key`` certificate whose renewal order is held at the CA when
its key is reported compromised: the run that discards that order's certificate,
starts its revocation (a child, abandoned) and orders a new key.

``not-on-worker``: a run that asked a worker without the plugin for the renewal window,
with backoff and not eagerly, until one with the plugin answered (the real backoff: it
takes a few minutes); and a run whose rechecks continued as new.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path[:0] = [str(Path(__file__).parent), str(Path(__file__).parents[1])]

from held_ca import HeldCA  # noqa: E402
from history_recording import HISTORIES, record_history  # noqa: E402
from managed_helpers import spec, wait_for  # noqa: E402
from order_harness import order_worker  # noqa: E402
from revocation_helpers import revocation_client, revocation_result  # noqa: E402
from temporal_server import start_dev_server  # noqa: E402

from certorder.client_revocation import start_revocation  # noqa: E402
from certorder.plugins.interface.certificate_manager import PluginContext  # noqa: E402
from certorder.plugins.interface.renewal_info import RenewalWindow  # noqa: E402
from certorder.plugins.local_ca.plugin import LocalCAPlugin  # noqa: E402
from certorder.plugins.manager import PluginManager  # noqa: E402
from certorder.workflows.managed_models import (  # noqa: E402
    KeyCompromised,
    ManagedInput,
    RenewalPolicy,
)
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow  # noqa: E402


class WindowedCA(LocalCAPlugin):
    def suggested_renewal_window(self, certificate, order_meta, plugin_meta):
        now = datetime.now(UTC)
        return RenewalWindow(start=now + timedelta(days=1), end=now + timedelta(days=2),
                             retry_after_seconds=1)


async def record(version: str) -> None:
    env = await start_dev_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            plugin = WindowedCA(PluginContext(name="local-ca", data_dir=data / "ca"))
            manager = PluginManager.from_plugins({"local-ca": plugin})
            async with order_worker(env, manager, data) as orders:
                # The replay test names a history's workflow by its file name, and the
                # order ids derive from the managed workflow's id: so that id is this one.
                managed_id = f"{version}-managed-compromised"
                handle = await orders.client.start_workflow(
                    ManagedCertificateWorkflow.run,
                    ManagedInput(name="compromised",
                                 spec=spec(renewal=RenewalPolicy(), validity_days=30)),
                    id=managed_id, task_queue=orders.task_queue)
                first = await wait_for(handle, lambda s: s.renewal_window is not None)
                await asyncio.sleep(2.5)  # a re-check or two, after Retry-After
                run = (await orders.client.get_workflow_handle(handle.id).describe()).run_id
                client = revocation_client(orders, data)
                order_id = first.versions[0].order_id
                await start_revocation(client, order_id, "keyCompromise",
                                       managed_workflow_id=managed_id)
                await revocation_result(client, order_id)
                await wait_for(handle, lambda s: len(s.versions) == 2)
                await orders.client.get_workflow_handle(handle.id).signal("retire")
                await orders.client.get_workflow_handle(handle.id).result()
                histories = {
                    "managed-compromised": orders.client.get_workflow_handle(handle.id,
                                                                             run_id=run),
                    "revocation-tells-managed": orders.client.get_workflow_handle(
                        f"revoke-{order_id}"),
                }
                for label, target in histories.items():
                    path = HISTORIES / f"{version}-{label}.json"
                    path.write_text((await target.fetch_history()).to_json())
                    print(f"wrote {path}")
    finally:
        await env.shutdown()


async def record_discard(version: str) -> None:
    env = await start_dev_server()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp)
            plugin = HeldCA(PluginContext(name="local-ca", data_dir=data / "ca"))
            manager = PluginManager.from_plugins({"local-ca": plugin})
            async with order_worker(env, manager, data) as orders:
                managed_id = f"{version}-managed-discard-revoked"
                handle = await orders.client.start_workflow(
                    ManagedCertificateWorkflow.run,
                    ManagedInput(name="discard", spec=spec(renewal=RenewalPolicy(),
                                                           reuse_key=True)),
                    id=managed_id, task_queue=orders.task_queue)
                first = await wait_for(handle, lambda s: len(s.versions) == 1)
                plugin.hold.set()
                await handle.signal(ManagedCertificateWorkflow.renew)
                held = await wait_for(handle, lambda s: s.current_order_id in plugin.held)
                run = (await orders.client.get_workflow_handle(handle.id).describe()).run_id
                await handle.signal(ManagedCertificateWorkflow.compromised,
                                    KeyCompromised(order_id=first.versions[0].order_id))
                plugin.hold.clear()
                await wait_for(handle, lambda s: len(s.versions) == 2)
                await orders.client.get_workflow_handle(
                    f"revoke-{held.current_order_id}").result()
                await orders.client.get_workflow_handle(handle.id).signal("retire")
                await orders.client.get_workflow_handle(handle.id).result()
                path = HISTORIES / f"{managed_id}.json"
                target = orders.client.get_workflow_handle(handle.id, run_id=run)
                path.write_text((await target.fetch_history()).to_json())
                print(f"wrote {path}")
    finally:
        await env.shutdown()


async def record_not_on_worker(version: str) -> None:
    """A run that asked a worker without the plugin, then one with it (v0.7 on); the
    flow is the test's own (``tests/workflows/test_managed_renewal_info_workers.py``)."""
    sys.path.insert(0, str(Path(__file__).parent / "workflows"))
    import pytest
    from test_managed_renewal_info_workers import (
        EAGER,
        asks_across_workers,
        rechecks_continue,
    )

    async def asks(env, data_dir: Path):
        with pytest.MonkeyPatch.context() as patch:
            _, run = await asks_across_workers(env, data_dir, patch, short_waits=False)
        return run

    await record_history(HISTORIES / f"{version}-managed-asks-another-worker.json", asks,
                         *EAGER)
    # And a run whose rechecks (one a second) continued as new.
    await record_history(HISTORIES / f"{version}-managed-recheck-continues.json",
                         rechecks_continue, "--dynamic-config-value",
                         "limit.historyCount.suggestContinueAsNew=40")

if __name__ == "__main__":
    label = sys.argv[1] if len(sys.argv) > 1 else "v0.4"
    flows = {"discard": record_discard, "not-on-worker": record_not_on_worker}
    asyncio.run(flows.get(sys.argv[2] if len(sys.argv) > 2 else "", record)(label))
