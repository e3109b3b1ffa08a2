"""Full orders through the real workflow and worker, with the ACME plugin and Pebble."""

from __future__ import annotations

import socket

from acme_driving import order_meta_for, unique_name
from order_harness import order_worker
from x509_helpers import verify_server_chain

from certorder.plugins import CertificateStatus
from certorder.workflows.models import CancelRequest, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

S = CertificateStatus


async def test_order_with_real_http01_goes_active(temporal_env, pebble, make_acme_plugin, tmp_path):
    plugin = make_acme_plugin(pebble)
    names = [unique_name("www"), unique_name("api")]
    async with order_worker(temporal_env, {"acme": plugin}, tmp_path) as orders:
        handle = await orders.start(order_meta_for(*names))
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
    assert doc.status is OrderStatus.ACTIVE, doc
    assert doc.sub_status == S.CERTIFICATE_GENERATED.value
    steps = [(t.method, t.result_status) for t in doc.transitions]
    assert steps[0] == ("issue_certificate_request", S.WAITING_FOR_CA.value), steps
    assert steps[-1] == ("check_certificate_status", S.CERTIFICATE_GENERATED.value), steps
    root = pebble.root_pem()
    for name in names:
        verify_server_chain(container.certificate, container.intermediates, root, name)


async def test_failed_challenge_ends_in_error_with_the_problem(
    temporal_env, pebble, make_acme_plugin, tmp_path
):
    webroot = tmp_path / "unserved"
    webroot.mkdir()
    plugin = make_acme_plugin(pebble, webroot=str(webroot))
    name = unique_name()
    async with order_worker(temporal_env, {"acme": plugin}, tmp_path) as orders:
        handle = await orders.start(order_meta_for(name))
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ERROR, doc
    assert doc.sub_status == S.INVALID_OPERATION.value
    assert f"ACME authorization for {name} is invalid: connection" in doc.sub_status_message


async def test_pebble_down_keeps_the_order_pending_until_it_is_back(
    temporal_env, make_pebble, make_acme_plugin, tmp_path
):
    server = make_pebble(start=False)
    plugin = make_acme_plugin(server, unavailable_retry_msec=200)
    name = unique_name()
    async with order_worker(temporal_env, {"acme": plugin}, tmp_path) as orders:
        handle = await orders.start(order_meta_for(name))
        pending = await orders.wait_for(
            handle, lambda d: d.sub_status == S.CA_UNAVAILABLE_FOR_REQUEST.value
        )
        assert pending.status is OrderStatus.PENDING
        server.start()
        doc = await orders.result(handle)
        container = orders.store.get_by_order(handle.id)
    assert doc.status is OrderStatus.ACTIVE, doc
    verify_server_chain(container.certificate, container.intermediates, server.root_pem(), name)


async def test_cancel_while_pending_deactivates_at_the_ca(
    temporal_env, make_pebble, make_acme_plugin, tmp_path
):
    server = make_pebble()
    # Pebble's validation hangs on a listener that never answers: the order stays pending.
    listener = socket.create_server(("127.0.0.1", server.http_port))
    listener.listen(16)
    plugin = make_acme_plugin(server, webroot=str(tmp_path), poll_retry_msec=60_000)
    try:
        async with order_worker(temporal_env, {"acme": plugin}, tmp_path) as orders:
            handle = await orders.start(order_meta_for(unique_name()))
            await orders.wait_for(handle, lambda d: d.sub_status == S.WAITING_FOR_CA.value)
            await handle.signal(CertificateOrderWorkflow.cancel, CancelRequest(reason="no"))
            doc = await orders.result(handle)
    finally:
        listener.close()
    assert doc.status is OrderStatus.ACTIVE, doc
    assert doc.sub_status == S.REQUEST_CANCELED.value
    assert "1 authorization(s) deactivated" in doc.sub_status_message
