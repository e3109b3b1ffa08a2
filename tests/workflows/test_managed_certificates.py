"""Managed certificates on the real local CA: issued, deployed, renewed on time with a
new key each time, and the deployed files always belong together."""

from __future__ import annotations

import asyncio
import stat
import threading
from pathlib import Path

import pytest
from managed_helpers import FAST, deployed_pair_matches, spec, spki, start, wait_for
from order_harness import order_worker

from certorder.plugins.manager import PluginManager
from certorder.workflows.managed_models import ManagedStatus, ModifyCertificate
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow


@pytest.fixture
def local_ca(tmp_path) -> PluginManager:
    manager = PluginManager(["local-ca"], tmp_path / "data")
    yield manager
    manager.close()


class PairWatcher(threading.Thread):
    """Reads the deployed files over and over while the workflow renews them."""

    def __init__(self, live: Path) -> None:
        super().__init__(daemon=True)
        self.live, self.stop, self.reads, self.mismatches = live, threading.Event(), 0, []
        self.seen: set[str] = set()

    def run(self) -> None:
        while not self.stop.is_set() and self.reads < 1_000_000:
            if self.live.exists():
                ok, version = deployed_pair_matches(self.live)
                self.reads += 1
                self.seen.add(version)
                if not ok:
                    self.mismatches.append(version)
            self.stop.wait(0.002)


async def test_issued_deployed_and_renewed_with_a_new_key_each_time(temporal_env, local_ca,
                                                                     tmp_path):
    deploy = tmp_path / "deploy"
    watcher = PairWatcher(deploy / "current")
    watcher.start()
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue, spec(deploy))
        state = await wait_for(handle, lambda s: len(s.versions) >= 3)
        keys_in_store = orders.keys.key_ids()
        stored_keys = {v.key_id: orders.keys.private_key(v.key_id) for v in state.versions}
        await handle.signal(ManagedCertificateWorkflow.retire)
        final = await asyncio.wait_for(handle.result(), 30)
    watcher.stop.set()
    watcher.join(5)

    assert final.status is ManagedStatus.RETIRED
    first, second, third = state.versions[:3]
    assert len({v.key_id for v in (first, second, third)}) == 3
    assert len({spki(k.public_key()) for k in stored_keys.values()}) == 3
    assert len({v.serial for v in (first, second, third)}) == 3
    # One key per version, none left over: the store holds exactly the versions' keys.
    assert sorted(keys_in_store) == sorted(v.key_id for v in state.versions) or \
        state.pending_key_id in keys_in_store
    # Renewed at 1/20000 of a one-day lifetime (4.3 s), less at most 2% jitter, counted
    # from when each certificate arrived; the next issuance takes well under 10 s.
    for before, after in ((first, second), (second, third)):
        due = FAST.renew_at * (before.not_after - before.issued_at).total_seconds()
        waited = (after.issued_at - before.issued_at).total_seconds()
        assert due * 0.97 <= waited <= due + 10, (due, waited)
    ok, _ = deployed_pair_matches(deploy / "current")
    assert ok and watcher.reads > 0 and watcher.mismatches == []
    assert stat.S_IMODE((deploy / "current" / "privkey.pem").stat().st_mode) == 0o600
    assert final.certificate and final.certificate.strip() in \
        (deploy / "current" / "cert.pem").read_text()


async def test_reuse_key_keeps_the_key_across_renewals(temporal_env, local_ca, tmp_path):
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue, spec(reuse_key=True))
        state = await wait_for(handle, lambda s: len(s.versions) >= 2)
        await handle.signal(ManagedCertificateWorkflow.retire)
        keys = orders.keys.key_ids()
    assert state.versions[0].key_id == state.versions[1].key_id
    assert keys == [state.versions[0].key_id]
    assert state.versions[0].serial != state.versions[1].serial


async def test_modify_applies_at_the_next_renewal_and_hook_failures_are_reported(
        temporal_env, local_ca, tmp_path):
    slow = FAST.model_copy(update={"renew_at": 0.5})
    marker = tmp_path / "hook.out"
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue,
                             spec(tmp_path / "deploy", renewal=slow,
                                  deploy_hook=f'echo "$CERTORDER_CERT_NAME $CERTORDER_KEY_FILE"'
                                              f' > {marker}'))
        first = await wait_for(handle, lambda s: len(s.versions) == 1)
        assert first.versions[0].hook_result.startswith("hook exited 0")
        assert marker.read_text().split()[1].endswith("current/privkey.pem")
        await handle.execute_update(ManagedCertificateWorkflow.modify, ModifyCertificate(
            dns_names=["web.example.test", "api.example.test"],
            deploy_hook="echo broken >&2; exit 3", renew_now=True))
        second = await wait_for(handle, lambda s: len(s.versions) == 2, timeout=90)
        await handle.signal(ManagedCertificateWorkflow.retire)
    assert second.spec.dns_names == ["web.example.test", "api.example.test"]
    assert second.status is ManagedStatus.ACTIVE
    assert "deploy hook failed after 4 tries: deploy hook exited 3 (output in" in second.message
    assert (tmp_path / "deploy" / ".deploy-hook.log").read_text() == "broken\n"
    ok, version = deployed_pair_matches(tmp_path / "deploy" / "current")
    assert ok and version == "v2"


async def test_the_ui_tells_the_story(temporal_env, local_ca, tmp_path):
    from temporalio.api.sdk.v1 import WorkflowMetadata

    slow = FAST.model_copy(update={"renew_at": 0.5})
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue, spec(renewal=slow))
        state = await wait_for(handle, lambda s: len(s.versions) == 1)
        metadata = await handle.query("__temporal_workflow_metadata",
                                      result_type=WorkflowMetadata)
        child = await orders.client.get_workflow_handle(state.versions[0].order_id).describe()
        # After a new version the workflow continued as new: the timer is in that run.
        latest = orders.client.get_workflow_handle(handle.id)
        for _ in range(100):
            timers = _summaries(await latest.fetch_history())
            if b"for renewal of" in timers:
                break
            await asyncio.sleep(0.1)
        await handle.signal(ManagedCertificateWorkflow.retire)
    details = metadata.current_details
    v1 = state.versions[0]
    for text in (f"`{state.name}`", "**State:** ACTIVE", "**Names:** web.example.test",
                 f"**Serial:** {v1.serial}", f"**Expires:** {v1.not_after.isoformat()[:19]}",
                 "**Next renewal:** ", "at 0.5 of the lifetime"):
        assert text in details, (text, details)
    assert b"for renewal of " + state.name.encode() in timers
    assert await child.static_summary() == f"v1 of managed certificate {state.name}"


def _summaries(history) -> bytes:
    return b" ".join(e.user_metadata.summary.data for e in history.events
                     if e.HasField("user_metadata") and e.user_metadata.HasField("summary"))


async def test_a_name_retired_and_issued_again_gets_a_certificate_for_its_new_key(
        temporal_env, local_ca, tmp_path):
    slow = FAST.model_copy(update={"renew_at": 0.5})
    deploy = tmp_path / "deploy"
    async with order_worker(temporal_env, local_ca, tmp_path) as orders:
        first = await start(orders.client, orders.task_queue, spec(deploy, renewal=slow),
                            name="again")
        old = await wait_for(first, lambda s: len(s.versions) == 1)
        await first.signal(ManagedCertificateWorkflow.retire)
        await first.result()
        second = await start(orders.client, orders.task_queue, spec(deploy, renewal=slow),
                             name="again")
        new = await wait_for(second, lambda s: len(s.versions) == 1)
        new_key = orders.keys.private_key(new.versions[0].key_id)
        await second.signal(ManagedCertificateWorkflow.retire)
    assert new.versions[0].order_id != old.versions[0].order_id
    assert new.versions[0].serial != old.versions[0].serial
    from cryptography import x509
    cert = x509.load_pem_x509_certificate(new.certificate.encode())
    assert spki(cert.public_key()) == spki(new_key.public_key())
    assert deployed_pair_matches(deploy / "current")[0]
