"""A worker SIGKILLed while it makes a key, while it deploys, and while a renewal waits:
exactly one key per version, no orphan key, every version deployed whole."""

from __future__ import annotations

import asyncio
import base64
import uuid

from managed_helpers import FAST, deployed_pair_matches, spec, start, wait_for
from temporalio.api.enums.v1 import PendingActivityState
from worker_process import WorkerProcess

from certorder.keys.envelope import Kek, new_kek_text
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore


async def _kill_during(handle, activity: str, worker: WorkerProcess, timeout: float = 30) -> None:
    """SIGKILL ``worker`` once ``activity`` is running on it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        pending = (await handle.describe()).raw_description.pending_activities
        if any(p.activity_type.name == activity
               and p.state == PendingActivityState.PENDING_ACTIVITY_STATE_STARTED
               for p in pending):
            worker.kill()
            return
        assert asyncio.get_running_loop().time() < deadline, f"{activity} never ran"
        await asyncio.sleep(0.01)


async def test_worker_killed_in_key_generation_deployment_and_renewal(temporal_env, tmp_path):
    store_url = f"sqlite:///{tmp_path / 'certorder.db'}"
    kek = new_kek_text()
    queue = f"tq-{uuid.uuid4().hex}"
    address = temporal_env.client.service_client.config.target_host

    def worker(label: str) -> WorkerProcess:
        return WorkerProcess(tmp_path / label, temporal_address=address, task_queue=queue,
                             enabled=["local-ca"], plugin_options={}, store_url=store_url,
                             kek=kek).start()

    # Every worker shares one local CA (its data dir), so they issue from the same root.
    deploy = tmp_path / "deploy"
    workers = [worker("w1")]
    try:
        # RSA-4096 takes a moment to generate: long enough to kill the worker mid-way.
        handle = await start(temporal_env.client, queue, spec(
            deploy, key_type="rsa-4096", deploy_hook="sleep 1",
            renewal=FAST), call_timeout_seconds=3)
        await _kill_during(handle, "create_key", workers[-1])
        workers.append(worker("w2"))
        await _kill_during(handle, "run_deploy_hook", workers[-1], timeout=60)
        workers.append(worker("w3"))
        first = await wait_for(handle, lambda s: len(s.versions) == 1, timeout=60)
        workers[-1].kill()  # now the renewal timer runs, with no worker at all
        await asyncio.sleep(1)
        workers.append(worker("w4"))
        state = await wait_for(handle, lambda s: len(s.versions) == 3, timeout=90)
        ok, version = deployed_pair_matches(deploy / "current")
        await handle.signal("retire")
    finally:
        for process in workers:
            process.stop()

    assert first.versions[0].version == 1 and [v.version for v in state.versions] == [1, 2, 3]
    assert ok and version == "v3"
    store = CertificateStore.open(store_url)
    try:
        keys = KeyStore(store.engine, Kek(base64.b64decode(kek)))
        # One key per version and nothing else: the killed attempt left no second key.
        assert sorted(keys.key_ids()) == sorted(v.key_id for v in state.versions) or (
            state.pending_key_id and sorted(keys.key_ids()) == sorted(
                [v.key_id for v in state.versions] + [state.pending_key_id]))
        assert len({v.key_id for v in state.versions}) == 3
        for v in state.versions:
            assert keys.private_key(v.key_id).key_size == 4096
        # v1's deployment was killed in its hook and finished by another worker.
        assert first.versions[0].hook_result.startswith("hook exited 0")
    finally:
        store.close()
