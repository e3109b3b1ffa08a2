"""Revocation through a real ``cfssl serve -db-config``, checked in cfssl's own database."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from cryptography import x509
from order_harness import order_worker
from revocation_helpers import revocation_client, revocation_result
from x509_helpers import make_csr, make_key

from certorder.client_revocation import read_revocation, start_revocation
from certorder.plugins import CertificateStatus, CoreMetaDTO, RevocationReason, RevocationStatus
from certorder.plugins.interface.errors import CAUnavailableError
from certorder.workflows.models import OrderStatus
from certorder.workflows.revocation_fsm import RevocationState


def _order(name: str) -> dict:
    return {"request_type": "simple-cmc", "request_data": make_csr(make_key(), [name])}


def _issue(plugin, name="rev.example.test") -> str:
    result = plugin.issue_certificate_request("o", _order(name), {}, CoreMetaDTO())
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    return result.certificate


def _serial(pem: str) -> int:
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def test_revoke_marks_the_certificate_revoked_in_cfssls_database(
        make_cfssl_server, make_cfssl_plugin):
    server = make_cfssl_server(database=True)
    plugin = make_cfssl_plugin(server)
    certificate, other = _issue(plugin), _issue(plugin, "other.example.test")
    assert server.certificate_row(_serial(certificate))["status"] == "good"
    plugin_meta: dict = {}

    result = plugin.revoke_certificate("o", certificate, {}, plugin_meta,
                                       RevocationReason.KEY_COMPROMISE)

    assert result.status is RevocationStatus.REVOKED, result
    row = server.certificate_row(_serial(certificate))
    assert (row["status"], row["reason"]) == ("revoked", 1)
    assert server.certificate_row(_serial(other))["status"] == "good"
    # A call with the plugin_meta it left behind does not go to cfssl again.
    again = plugin.revoke_certificate("o", certificate, {}, plugin_meta,
                                      RevocationReason.SUPERSEDED)
    assert again.status is RevocationStatus.REVOKED
    assert server.certificate_row(_serial(certificate))["reason"] == 1


def test_a_certificate_cfssl_never_signed_is_refused(make_cfssl_server, make_cfssl_plugin):
    stranger = _issue(make_cfssl_plugin(make_cfssl_server()))
    plugin = make_cfssl_plugin(make_cfssl_server(database=True))
    result = plugin.revoke_certificate("o", stranger, {}, {}, RevocationReason.UNSPECIFIED)
    assert result.status is RevocationStatus.REFUSED
    assert "certificate not found" in result.status_message


def test_a_server_without_a_certificate_database_refuses(make_cfssl_server, make_cfssl_plugin):
    plugin = make_cfssl_plugin(make_cfssl_server())
    result = plugin.revoke_certificate("o", _issue(plugin), {}, {}, RevocationReason.UNSPECIFIED)
    assert result.status is RevocationStatus.REFUSED, result


def test_a_stopped_server_is_ca_unavailable(make_cfssl_server, make_cfssl_plugin):
    server = make_cfssl_server(database=True)
    plugin = make_cfssl_plugin(server)
    certificate = _issue(plugin)
    server.stop()
    with pytest.raises(CAUnavailableError):
        plugin.revoke_certificate("o", certificate, {}, {}, RevocationReason.UNSPECIFIED)


async def test_a_revocation_waits_through_an_outage_and_completes_when_cfssl_returns(
        temporal_env, make_cfssl_server, make_cfssl_plugin, tmp_path):
    server = make_cfssl_server(database=True)
    plugin = make_cfssl_plugin(server)  # retries an unreachable CA after 250 ms
    queue = f"tq-{uuid.uuid4().hex}"
    async with order_worker(temporal_env, {"cfssl": plugin}, tmp_path,
                            task_queue=queue) as orders:
        handle = await orders.start(_order("outage.example.test"))
        assert (await orders.result(handle)).status is OrderStatus.ACTIVE
        serial = _serial(orders.store.get_by_order(handle.id).certificate)
        client = revocation_client(orders, tmp_path)
        server.stop()
        await start_revocation(client, handle.id, "cessationOfOperation")
        deadline = asyncio.get_running_loop().time() + 15
        while (doc := await read_revocation(client, handle.id)).calls < 3:
            assert asyncio.get_running_loop().time() < deadline, doc
            await asyncio.sleep(0.1)
        assert doc.state is RevocationState.REVOKING and doc.next_attempt_at is not None
        assert server.certificate_row(serial)["status"] == "good"
    # The worker is gone while the revocation waits on its timer; the CA comes back and
    # a new worker (with a new plugin instance) takes the revocation up where it was.
    server.start()
    async with order_worker(temporal_env, {"cfssl": make_cfssl_plugin(server)}, tmp_path,
                            task_queue=queue) as orders:
        done = await revocation_result(revocation_client(orders, tmp_path), handle.id)
    assert done.state is RevocationState.REVOKED, done
    assert {step.outcome for step in done.steps[:-1]} == {"CA unavailable"}
    row = server.certificate_row(serial)
    assert (row["status"], row["reason"]) == ("revoked", 5)
    assert orders.store.revocations.get(handle.id).reason == "cessationOfOperation"
