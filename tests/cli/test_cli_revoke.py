"""``certorder cert revoke`` and ``ca crl`` through the CLI, with a real worker.

The CLI loads no plugin for a revocation: here the worker runs in the test (with the
local CA, or one that offers no revocation) and the CLI reaches it through Temporal
and the shared store.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid

import pytest
from cli_helpers import assert_one_line_error
from cryptography import x509
from order_harness import order_worker
from temporalio.client import WorkflowFailureError
from x509_helpers import make_csr, make_key

from certorder.client_workers import live_workers
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.local_ca.plugin import LocalCAPlugin
from certorder.plugins.manager import PluginManager
from certorder.settings import Settings
from certorder.workflows.models import OrderInput, OrderStatus


class NoRevocationCA(LocalCAPlugin):
    def supports_revocation(self) -> bool:
        return False


@pytest.fixture
def shared(temporal_env, cli_env, monkeypatch):
    """Env for the CLI: the test server, a fresh task queue, the worker's store and CAs."""
    address = temporal_env.client.service_client.config.target_host
    queue = f"tq-revoke-{uuid.uuid4().hex}"
    monkeypatch.setenv("CERTORDER_TEMPORAL_ADDRESS", address)
    monkeypatch.setenv("CERTORDER_TASK_QUEUE", queue)
    return queue, cli_env


def _manager(cls, data_dir) -> PluginManager:
    # The plugin's data_dir is the one the CLI's own local-ca plugin uses (ca crl).
    plugin = cls(PluginContext(name="local-ca", data_dir=data_dir / "plugins" / "local-ca"))
    return PluginManager.from_plugins({"local-ca": plugin})


async def _issued(orders) -> str:
    csr = make_csr(make_key("p256"), ["cli-rev.example.test"])
    handle = await orders.start({"request_type": "simple-cmc", "request_data": csr})
    assert (await orders.result(handle)).status is OrderStatus.ACTIVE
    return handle.id


async def _cli(run_cli, *argv):
    return await asyncio.to_thread(run_cli, *argv)


async def _until_polling(temporal_env, queue: str) -> None:
    """The admin commands (``ca ...``) look for a polling worker before they start."""
    settings = Settings(task_queue=queue)
    deadline = asyncio.get_running_loop().time() + 20
    while not await live_workers(temporal_env.client, settings):
        assert asyncio.get_running_loop().time() < deadline, f"no worker polls {queue}"
        await asyncio.sleep(0.05)


async def _not_started(temporal_env, order_id) -> bool:
    query = f"WorkflowId = 'revoke-{order_id}'"
    return [w async for w in temporal_env.client.list_workflows(query)] == []


async def test_revoke_wait_then_order_show_and_the_crl_say_revoked(
        temporal_env, shared, run_cli, tmp_path):
    queue, data_dir = shared
    async with order_worker(temporal_env, _manager(LocalCAPlugin, data_dir), data_dir,
                            task_queue=queue) as orders:
        order_id = await _issued(orders)
        revoked = await _cli(run_cli, "cert", "revoke", order_id, "--reason", "keyCompromise",
                             "--wait")
        assert revoked.code == 0, revoked
        assert revoked.out.startswith(f"{order_id}: REVOKED (keyCompromise): serial ")
        assert "revoke: revoked (REVOKED)" in revoked.err
        shown = await _cli(run_cli, "order", "show", order_id)
        as_json = json.loads((await _cli(run_cli, "order", "show", order_id, "--json")).out)
        again = await _cli(run_cli, "cert", "revoke", order_id, "--reason", "superseded")
        # The worker's plugin signs the CRL (the CLI loads none).
        await _until_polling(temporal_env, queue)
        crl_file = tmp_path / "root.crl"
        written = await _cli(run_cli, "ca", "crl", "root", "--out", str(crl_file), "--der")
        pem = (await _cli(run_cli, "ca", "crl", "root")).out
        cas = json.loads((await _cli(run_cli, "ca", "list", "--json")).out)
    assert "Revoked:" in shown.out and "(keyCompromise)" in shown.out
    assert as_json["revocation"]["reason"] == "keyCompromise"
    assert again.code == 0 and "already revoked" in again.out

    assert written.code == 0, written
    crl = x509.load_der_x509_crl(crl_file.read_bytes())
    serial = x509.load_pem_x509_certificate(
        orders.store.get_by_order(order_id).certificate.encode()).serial_number
    assert [entry.serial_number for entry in crl] == [serial]
    (tmp_path / "root.pem").write_text(cas[0]["ca_signing_certificate"])
    (tmp_path / "crl.pem").write_text(pem)
    checked = subprocess.run(
        ["openssl", "crl", "-noout", "-verify", "-in", str(tmp_path / "crl.pem"),
         "-CAfile", str(tmp_path / "root.pem")], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0 and "verify OK" in checked.stderr + checked.stdout


async def test_bad_input_is_one_line_exit_2_and_starts_nothing(temporal_env, shared, run_cli):
    queue, data_dir = shared
    async with order_worker(temporal_env, _manager(LocalCAPlugin, data_dir), data_dir,
                            task_queue=queue) as orders:
        order_id = await _issued(orders)
        # An order that ended in ERROR without a certificate (its CSR is garbage).
        failed = await orders.client.start_workflow(
            "CertificateOrderWorkflow",
            OrderInput(order_meta={"request_type": "simple-cmc", "request_data": "junk",
                                   "plugin_name": "local-ca"}),
            id=f"failed-{uuid.uuid4().hex[:8]}", task_queue=queue)
        with pytest.raises(WorkflowFailureError):  # an ERROR order fails its workflow
            await failed.result()
        cases = [
            (("no-such-order", "keyCompromise"), "no order or managed certificate no-such-order"),
            ((order_id, "stolen"), "unknown revocation reason 'stolen'"),
            ((failed.id, "keyCompromise"), f"nothing to revoke: order {failed.id} ended ERROR"),
        ]
        for (target, reason), message in cases:
            result = await _cli(run_cli, "cert", "revoke", target, "--reason", reason)
            assert_one_line_error(result, 2, message)
            assert await _not_started(temporal_env, target)


async def test_a_plugin_without_revocation_is_one_line_exit_2(temporal_env, shared, run_cli):
    queue, data_dir = shared
    async with order_worker(temporal_env, _manager(NoRevocationCA, data_dir), data_dir,
                            task_queue=queue) as orders:
        order_id = await _issued(orders)
        result = await _cli(run_cli, "cert", "revoke", order_id, "--reason", "superseded",
                            "--wait")
        document = await orders.client.get_workflow_handle(f"revoke-{order_id}").query("status")
    assert_one_line_error(result, 2, f"cannot revoke order {order_id}: plugin 'local-ca' "
                                     "offers no revocation")
    assert document["calls"] == 0
    assert orders.store.revocations.get(order_id) is None


async def test_without_a_worker_the_revocation_starts_and_completes_once_one_runs(
        temporal_env, shared, run_cli, monkeypatch):
    queue, data_dir = shared
    monkeypatch.setattr("certorder.client_revocation.VERDICT_TIMEOUT_SECONDS", 0.5)
    manager = _manager(LocalCAPlugin, data_dir)
    async with order_worker(temporal_env, manager, data_dir, task_queue=queue) as orders:
        order_id = await _issued(orders)
    started = await _cli(run_cli, "cert", "revoke", order_id, "--reason", "superseded")
    assert started.code == 0, started
    assert "no worker has picked up" in started.err and f"revoke-{order_id} started" in started.err
    assert started.out.startswith(f"{order_id}: REVOKING (superseded)")
    async with order_worker(temporal_env, manager, data_dir, task_queue=queue) as orders:
        done = await _cli(run_cli, "cert", "revoke", order_id, "--reason", "superseded",
                          "--wait")
    assert done.code == 0, done
    assert done.out.startswith(f"{order_id}: REVOKED (superseded)")
    assert orders.store.revocations.get(order_id).reason == "superseded"


async def test_ca_crl_of_an_unknown_ca_is_one_line_exit_2(temporal_env, shared, run_cli):
    queue, data_dir = shared
    async with order_worker(temporal_env, _manager(LocalCAPlugin, data_dir), data_dir,
                            task_queue=queue):
        await _until_polling(temporal_env, queue)
        result = await _cli(run_cli, "ca", "crl", "nosuch")
        der_to_stdout = await _cli(run_cli, "ca", "crl", "root", "--der")
    assert_one_line_error(result, 2, "no enabled plugin has a CA with id 'nosuch'")
    assert_one_line_error(der_to_stdout, 2, "a DER CRL is binary: give --out FILE")
