"""Full certificate orders through the real workflow, with the dogtag plugin and the
Dogtag simulator: the behaviours of issue 4, end to end."""

from __future__ import annotations

import pytest
from order_harness import order_worker
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins import CertificateStatus
from certorder.workflows.models import CancelRequest, ModifyRequest, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

S = CertificateStatus
HOUR = 3_600_000
NAME = "www.example.test"


@pytest.fixture
def dogtag(make_dogtag):
    """caServerCert is approved by the plugin; caOtherCert waits for a Dogtag agent,
    polled every 20 ms."""
    return make_dogtag(
        auto_approved_profiles=["caServerCert"], retry_msec=20, unavailable_retry_msec=50
    )


def _order_meta(**extra) -> dict:
    csr = make_csr(make_key("p256"), [NAME])
    return {"request_type": "simple-cmc", "request_data": csr, "plugin_name": "dogtag", **extra}


async def _issued(orders, handle, sim):
    doc = await orders.result(handle)
    assert doc.status is OrderStatus.ACTIVE, doc
    assert doc.sub_status == S.CERTIFICATE_GENERATED.value
    container = orders.store.get_by_order(handle.id)
    chain = verify_server_chain(container.certificate, container.intermediates, sim.root_pem, NAME)
    assert len(chain) == 3
    return doc


async def test_immediate_issue(temporal_env, dogtag_sim, dogtag, tmp_path):
    async with order_worker(temporal_env, {"dogtag": dogtag}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        doc = await _issued(orders, handle, dogtag_sim)
    assert [t.result_status for t in doc.transitions][0] == S.CERTIFICATE_GENERATED.value
    assert dogtag_sim.enrollment_count == 1


async def test_pending_then_issued(temporal_env, dogtag_sim, dogtag, tmp_path):
    dogtag_sim.decide_after_polls(2, "approve")
    async with order_worker(temporal_env, {"dogtag": dogtag}, tmp_path) as orders:
        handle = await orders.start(_order_meta(profile="caOtherCert"))
        doc = await _issued(orders, handle, dogtag_sim)
    assert [t.result_status for t in doc.transitions][:2] == [S.WAITING_FOR_CA.value] * 2
    assert dogtag_sim.enrollment_count == 1


async def test_modify_while_waiting_reenrolls_and_is_issued(
    temporal_env, dogtag_sim, make_dogtag, tmp_path
):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"], retry_msec=HOUR)
    async with order_worker(temporal_env, {"dogtag": plugin}, tmp_path) as orders:
        handle = await orders.start(_order_meta(profile="caOtherCert"))
        await orders.wait_for(handle, lambda d: d.sub_status == S.WAITING_FOR_CA.value)
        await handle.signal(
            CertificateOrderWorkflow.modify, ModifyRequest(order_meta={"profile": "caServerCert"})
        )
        await _issued(orders, handle, dogtag_sim)
    first, second = sorted(dogtag_sim.engine.requests.values(), key=lambda r: r.number)
    assert (first.profile_id, first.status) == ("caOtherCert", "canceled")
    assert (second.profile_id, second.status) == ("caServerCert", "complete")


async def test_rejection_ends_in_error(temporal_env, dogtag_sim, dogtag, tmp_path):
    dogtag_sim.decide_after_polls(1, "reject", reason="Hostname not in our zone.")
    async with order_worker(temporal_env, {"dogtag": dogtag}, tmp_path) as orders:
        handle = await orders.start(_order_meta(profile="caOtherCert"))
        doc = await orders.result(handle)
        assert orders.store.get_by_order(handle.id) is None
    assert doc.status is OrderStatus.ERROR
    assert doc.sub_status == S.INVALID_OPERATION.value
    assert "Hostname not in our zone." in doc.sub_status_message


async def test_cancel_while_pending(temporal_env, dogtag_sim, make_dogtag, tmp_path):
    plugin = make_dogtag(retry_msec=HOUR)
    async with order_worker(temporal_env, {"dogtag": plugin}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        await orders.wait_for(handle, lambda d: d.sub_status == S.WAITING_FOR_CA.value)
        await handle.signal(CertificateOrderWorkflow.cancel, CancelRequest(reason="not needed"))
        doc = await orders.result(handle)
    assert doc.status is OrderStatus.ACTIVE
    assert doc.sub_status == S.REQUEST_CANCELED.value
    [remote] = dogtag_sim.engine.requests.values()
    assert remote.status == "canceled"


async def test_outage_keeps_the_order_pending_until_recovery(
    temporal_env, dogtag_sim, dogtag, tmp_path
):
    dogtag_sim.go_offline()
    async with order_worker(temporal_env, {"dogtag": dogtag}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        doc = await orders.wait_for(
            handle, lambda d: d.sub_status == S.CA_UNAVAILABLE_FOR_REQUEST.value
        )
        assert doc.status is OrderStatus.PENDING
        dogtag_sim.go_online()
        await _issued(orders, handle, dogtag_sim)
    assert dogtag_sim.enrollment_count == 1


async def test_answer_lost_after_the_request_was_placed_enrolls_once(
    temporal_env, dogtag_sim, make_dogtag, tmp_path
):
    # Dogtag creates the request but the worker never gets the answer (it times out):
    # the call's plugin_meta is lost, exactly as when the worker dies there.
    plugin = make_dogtag(
        auto_approved_profiles=["caServerCert"],
        retry_msec=20,
        unavailable_retry_msec=200,
        timeout_seconds=0.3,
    )
    dogtag_sim.delay_answers("POST", "/ca/rest/certrequests", 0.6)
    async with order_worker(temporal_env, {"dogtag": plugin}, tmp_path) as orders:
        handle = await orders.start(_order_meta())
        await orders.wait_for(handle, lambda d: d.sub_status == S.CA_UNAVAILABLE_FOR_REQUEST.value)
        dogtag_sim.delay_answers("POST", "/ca/rest/certrequests", 0)
        doc = await _issued(orders, handle, dogtag_sim)
    assert [t.method for t in doc.transitions][:2] == ["issue_certificate_request"] * 2
    assert dogtag_sim.enrollment_count == 1
