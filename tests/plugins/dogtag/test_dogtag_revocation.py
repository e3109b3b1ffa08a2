"""Revocation through the Dogtag plugin, observed in the simulator's certificate records;
and a worker killed mid-revocation: exactly one revocation at the CA."""

from __future__ import annotations

import asyncio
import uuid

from cryptography import x509
from order_harness import order_worker
from revocation_helpers import revocation_client, revocation_result
from worker_process import WorkerProcess
from x509_helpers import make_csr, make_key

from certorder.client_revocation import start_revocation
from certorder.plugins import CertificateStatus, CoreMetaDTO, RevocationReason, RevocationStatus
from certorder.plugins.manager import PluginManager
from certorder.workflows.models import OrderStatus
from certorder.workflows.revocation_fsm import RevocationState
from tests.plugins.dogtag.conftest import sim_options

KEY_COMPROMISE = RevocationReason.KEY_COMPROMISE


def _order() -> dict:
    return {"request_type": "simple-cmc", "request_data": make_csr(make_key())}


def _issue(plugin) -> str:
    result = plugin.issue_certificate_request("o", _order(), {}, CoreMetaDTO())
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    return result.certificate


def _serial(pem: str) -> int:
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def test_revoke_is_recorded_by_dogtag_and_a_repeat_sends_nothing(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    certificate = _issue(plugin)
    result = plugin.revoke_certificate("o", certificate, {}, {}, KEY_COMPROMISE)
    assert result.status is RevocationStatus.REVOKED, result
    assert dogtag_sim.revocations.revoked[_serial(certificate)].reason == 1
    again = plugin.revoke_certificate("o", certificate, {}, {}, RevocationReason.SUPERSEDED)
    assert again.status is RevocationStatus.REVOKED and "already revoked" in again.status_message
    assert dogtag_sim.revocations.revocation_requests == 1


def test_a_certificate_dogtag_does_not_know_is_refused(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    certificate = _issue(plugin)
    dogtag_sim.engine.certs.pop(_serial(certificate))  # as if another CA had issued it
    result = plugin.revoke_certificate("o", certificate, {}, {}, KEY_COMPROMISE)
    assert result.status is RevocationStatus.REFUSED
    assert "not found" in result.status_message
    assert dogtag_sim.revocations.revoked == {}


def test_an_offline_dogtag_is_ca_unavailable(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"], unavailable_retry_msec=123)
    certificate = _issue(plugin)
    dogtag_sim.go_offline()
    result = plugin.revoke_certificate("o", certificate, {}, {}, KEY_COMPROMISE)
    assert (result.status, result.retry_msec) == (RevocationStatus.CA_UNAVAILABLE, 123)
    assert dogtag_sim.revocations.revoked == {}


async def test_worker_killed_mid_revocation_revokes_exactly_once(
        temporal_env, dogtag_sim, tmp_path):
    dogtag_sim.set_auto_issue("caServerCert")
    options = {"dogtag": sim_options(dogtag_sim, auto_approved_profiles=["caServerCert"],
                                     timeout_seconds=10.0)}
    manager = PluginManager(["dogtag"], tmp_path / "second", options)
    queue = f"tq-{uuid.uuid4().hex}"
    store_url = f"sqlite:///{tmp_path / 'certorder.db'}"
    try:
        async with order_worker(temporal_env, manager, tmp_path, task_queue=queue) as orders:
            handle = await orders.start({**_order(), "plugin_name": "dogtag"})
            assert (await orders.result(handle)).status is OrderStatus.ACTIVE
            serial = _serial(orders.store.get_by_order(handle.id).certificate)
        address = temporal_env.client.service_client.config.target_host
        first = WorkerProcess(tmp_path / "first", temporal_address=address, task_queue=queue,
                              enabled=["dogtag"], plugin_options=options,
                              store_url=store_url).start()
        # Dogtag revokes at once but answers a second later: the worker dies in between.
        dogtag_sim.delay_answers("POST", f"/ca/rest/agent/certs/{hex(serial)}/revoke", 1.0)
        client = revocation_client(orders, tmp_path, call_timeout=3)
        try:
            await start_revocation(client, handle.id, "keyCompromise")
            for _ in range(500):
                if dogtag_sim.revocations.revocation_requests:
                    break
                await asyncio.sleep(0.02)
            first.kill()
        finally:
            first.stop()
        dogtag_sim.delay_answers("POST", "", 0)
        assert dogtag_sim.revocations.revocation_requests == 1
        async with order_worker(temporal_env, manager, tmp_path, task_queue=queue) as orders:
            done = await revocation_result(client, handle.id, timeout=60)
    finally:
        manager.close()
    assert done.state is RevocationState.REVOKED, done
    assert "already revoked" in (done.message or "")
    assert dogtag_sim.revocations.revocation_requests == 1
    assert dogtag_sim.revocations.revoked[serial].reason == 1
