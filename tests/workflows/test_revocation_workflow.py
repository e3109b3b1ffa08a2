"""Revocations as workflows on a real Temporal server, with the real local CA."""

from __future__ import annotations

import asyncio
import threading
from collections import deque

import pytest
from cryptography import x509
from order_harness import order_worker
from temporalio.api.sdk.v1 import WorkflowMetadata
from x509_helpers import make_csr, make_key

from certorder.client import CertOrderClient
from certorder.client_errors import InvalidInputError
from certorder.client_revocation import start_revocation, wait_revocation
from certorder.plugins import RevocationReason, RevocationResult, RevocationStatus
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.local_ca.plugin import LocalCAPlugin
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.workflows.models import OrderStatus
from certorder.workflows.revocation_fsm import RevocationState


class FlakyLocalCA(LocalCAPlugin):
    """The local CA behind a connection that first fails as scripted."""

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self.before: deque[RevocationResult] = deque()
        self.calls = 0
        self._lock = threading.Lock()

    def revoke_certificate(self, order_id, certificate, order_meta, plugin_meta, reason):
        with self._lock:
            self.calls += 1
            if self.before:
                return self.before.popleft()
        return super().revoke_certificate(order_id, certificate, order_meta, plugin_meta, reason)


class NoRevocationCA(LocalCAPlugin):
    def supports_revocation(self) -> bool:
        return False


def _manager(cls, tmp_path) -> tuple[PluginManager, LocalCAPlugin]:
    plugin = cls(PluginContext(name="local-ca", data_dir=tmp_path / "ca"))
    return PluginManager.from_plugins({"local-ca": plugin}), plugin


def _client(temporal_env, orders, tmp_path) -> CertOrderClient:
    settings = Settings(task_queue=orders.task_queue, data_dir=tmp_path,
                        store_url=f"sqlite:///{tmp_path / 'certorder.db'}",
                        plugin_call_timeout_seconds=10)
    return CertOrderClient(settings, temporal_env.client)


async def _issued(orders) -> str:
    csr = make_csr(make_key("p256"), ["rev.example.test"])
    handle = await orders.start({"request_type": "simple-cmc", "request_data": csr})
    assert (await orders.result(handle)).status is OrderStatus.ACTIVE
    return handle.id


def _crl_serials(plugin: LocalCAPlugin) -> list[int]:
    return [entry.serial_number for entry in x509.load_pem_x509_crl(plugin.get_crl(None).encode())]


async def test_revocation_revokes_once_records_it_and_a_second_one_finds_the_record(
        temporal_env, tmp_path):
    manager, plugin = _manager(FlakyLocalCA, tmp_path)
    async with order_worker(temporal_env, manager, tmp_path) as orders:
        order_id = await _issued(orders)
        client = _client(temporal_env, orders, tmp_path)
        started = await start_revocation(client, order_id, "keyCompromise")
        assert started.checked and started.plugin_name == "local-ca"
        done = await asyncio.wait_for(wait_revocation(client, order_id, poll_seconds=0.1), 30)
        again = await start_revocation(client, order_id, "superseded")
    assert done.state is RevocationState.REVOKED, done
    assert done.calls == 1 and plugin.calls == 1
    serial = x509.load_pem_x509_certificate(
        orders.store.get_by_order(order_id).certificate.encode()).serial_number
    assert done.serial == format(serial, "x")
    recorded = orders.store.revocations.get(order_id)
    assert recorded.reason == "keyCompromise" and recorded.revoked_at == done.revoked_at
    assert _crl_serials(plugin) == [serial]
    # Already recorded: nothing started, nothing asked of the CA.
    assert again.state is RevocationState.REVOKED and plugin.calls == 1


async def test_an_unavailable_then_slow_ca_is_waited_for_on_durable_timers(temporal_env, tmp_path):
    manager, plugin = _manager(FlakyLocalCA, tmp_path)
    plugin.before.extend([
        RevocationResult(status=RevocationStatus.CA_UNAVAILABLE, status_message="CA down",
                         retry_msec=300),
        RevocationResult(status=RevocationStatus.WAITING_FOR_CA, status_message="queued",
                         retry_msec=300),
    ])
    async with order_worker(temporal_env, manager, tmp_path) as orders:
        order_id = await _issued(orders)
        client = _client(temporal_env, orders, tmp_path)
        await start_revocation(client, order_id, "superseded")
        done = await asyncio.wait_for(wait_revocation(client, order_id, poll_seconds=0.1), 30)
        history = await temporal_env.client.get_workflow_handle(
            f"revoke-{order_id}").fetch_history()
    assert done.state is RevocationState.REVOKED
    assert [step.outcome for step in done.steps] == ["CA unavailable", "waiting for CA", "revoked"]
    assert plugin.calls == 3 and len(_crl_serials(plugin)) == 1
    timers = [e for e in history.events if e.HasField("timer_started_event_attributes")]
    assert len(timers) == 2


async def test_a_plugin_without_revocation_is_refused_before_any_ca_call(temporal_env, tmp_path):
    manager, _ = _manager(NoRevocationCA, tmp_path)
    async with order_worker(temporal_env, manager, tmp_path) as orders:
        order_id = await _issued(orders)
        client = _client(temporal_env, orders, tmp_path)
        verdict = await start_revocation(client, order_id, "unspecified")
    assert verdict.state is RevocationState.REFUSED and verdict.calls == 0
    assert verdict.message == "plugin 'local-ca' offers no revocation"
    assert orders.store.revocations.get(order_id) is None


@pytest.mark.parametrize(("order_id", "reason", "message"), [
    ("no-such-order", "keyCompromise", "no order no-such-order"),
    ("x", "stolen", "unknown revocation reason 'stolen'"),
    ("bad id!", "keyCompromise", "invalid order id"),
])
async def test_bad_input_is_refused_before_anything_starts(temporal_env, tmp_path, order_id,
                                                           reason, message):
    manager, _ = _manager(FlakyLocalCA, tmp_path)
    async with order_worker(temporal_env, manager, tmp_path) as orders:
        client = _client(temporal_env, orders, tmp_path)
        with pytest.raises(InvalidInputError, match=message):
            await start_revocation(client, order_id, reason)
    assert RevocationReason.parse("KEYCOMPROMISE") is RevocationReason.KEY_COMPROMISE


async def test_a_waiting_revocation_shows_its_summary_and_details_in_the_ui(
        temporal_env, tmp_path):
    manager, plugin = _manager(FlakyLocalCA, tmp_path)
    plugin.before.append(RevocationResult(status=RevocationStatus.CA_UNAVAILABLE,
                                          status_message="CA down", retry_msec=3_600_000))
    async with order_worker(temporal_env, manager, tmp_path) as orders:
        order_id = await _issued(orders)
        client = _client(temporal_env, orders, tmp_path)
        await start_revocation(client, order_id, "superseded")
        handle = temporal_env.client.get_workflow_handle(f"revoke-{order_id}")
        deadline = asyncio.get_running_loop().time() + 15
        while (await handle.query("status")).get("calls", 0) < 1:
            assert asyncio.get_running_loop().time() < deadline
            await asyncio.sleep(0.05)
        description = await handle.describe()
        metadata = await handle.query("__temporal_workflow_metadata",
                                      result_type=WorkflowMetadata)
        history = await handle.fetch_history()
        await handle.terminate("test over")
    assert await description.static_summary() == \
        f"Revoke the certificate of order {order_id} (superseded)"
    details = metadata.current_details
    assert "**State:** REVOKING" in details and "**Message:** CA down" in details
    assert "**Next call:** at" in details and "**Calls to the CA:** 1" in details
    summaries = b" ".join(e.user_metadata.summary.data for e in history.events
                          if e.HasField("user_metadata") and e.user_metadata.HasField("summary"))
    assert b"wait for the CA, then revoke again" in summaries
    assert b"#1 local-ca.revoke_certificate" in summaries
