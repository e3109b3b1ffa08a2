"""Full orders through the real workflow and worker, with the CFSSL plugin and cfssl serve."""

from __future__ import annotations

import pytest
from order_harness import order_worker
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins import CertificateStatus
from certorder.workflows.models import OrderStatus

S = CertificateStatus


def _order(name: str, **fields) -> dict:
    return {"request_type": "simple-cmc", "request_data": make_csr(make_key(), [name]), **fields}


@pytest.mark.parametrize("authsign", [False, True])
async def test_order_goes_active_and_verifies(
    temporal_env, make_cfssl_server, make_cfssl_plugin, tmp_path, authsign
):
    server = make_cfssl_server(intermediate=True)
    options = {"auth_key": server.auth_key, "default_profile": "authed"} if authsign else {}
    plugin = make_cfssl_plugin(server, **options)
    async with order_worker(temporal_env, {"cfssl": plugin}, tmp_path) as orders:
        handle = await orders.start(_order("svc.example.test"))
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
    assert doc.status is OrderStatus.ACTIVE, doc
    assert [(t.method, t.result_status) for t in doc.transitions] == [
        ("issue_certificate_request", S.CERTIFICATE_GENERATED.value)
    ]
    chain = verify_server_chain(
        container.certificate, container.intermediates, server.root_pem(), "svc.example.test"
    )
    assert len(chain) == 3


async def test_bad_profile_ends_in_error_with_cfssl_message(
    temporal_env, cfssl_server, make_cfssl_plugin, tmp_path
):
    plugin = make_cfssl_plugin(cfssl_server, auth_key=cfssl_server.auth_key)
    async with order_worker(temporal_env, {"cfssl": plugin}, tmp_path) as orders:
        handle = await orders.start(_order("x.example.test", profile="no-such-profile"))
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ERROR, doc
    assert doc.sub_status == S.INVALID_OPERATION.value
    assert doc.sub_status_message == "CFSSL refused: no authentication provider (code 400)"


async def test_server_down_keeps_the_order_pending_until_it_is_back(
    temporal_env, make_cfssl_server, make_cfssl_plugin, tmp_path
):
    server = make_cfssl_server(start=False)
    plugin = make_cfssl_plugin(server, unavailable_retry_msec=200)
    async with order_worker(temporal_env, {"cfssl": plugin}, tmp_path) as orders:
        handle = await orders.start(_order("late.example.test"))
        pending = await orders.wait_for(
            handle, lambda d: d.sub_status == S.CA_UNAVAILABLE_FOR_REQUEST.value
        )
        assert pending.status is OrderStatus.PENDING
        server.start()
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
    assert doc.status is OrderStatus.ACTIVE, doc
    verify_server_chain(
        container.certificate, container.intermediates, server.root_pem(), "late.example.test"
    )
