"""What a modify can and cannot change on a placed CertCentral order."""

from __future__ import annotations

from x509_helpers import make_csr, make_key

from certorder.plugins.interface.status import CertificateStatus


def test_changed_csr_is_refused(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=5)
    order = new_order(make_digicert())
    order.issue()
    result = order.modify(request_data=make_csr(make_key("p256"), ["www.example.test"]))
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert "CSR" in result.status_message


def test_changed_product_is_reported_not_applied(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=5)
    order = new_order(make_digicert())
    order.issue()
    result = order.modify(profile="ssl_ev_basic")
    assert result.status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    assert "not applied" in result.status_message
    remote = certcentral_sim.account.get(order.plugin_meta["certcentral_order_id"])
    assert remote.req.product == "ssl_basic"


def test_invalid_change_is_a_client_issue(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=5)
    order = new_order(make_digicert())
    order.issue()
    result = order.modify(dcv_method="carrier-pigeon")
    assert result.status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    assert "dcv_method" in result.status_message


def test_dcv_change_on_an_issued_order_is_refused_by_the_ca(
    certcentral_sim, make_digicert, new_order
):
    order = new_order(make_digicert())
    assert order.issue().status is CertificateStatus.CERTIFICATE_GENERATED
    result = order.modify(dcv_method="email")
    assert result.status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    assert "did not accept" in result.status_message


def test_modify_before_any_order_defers_to_issue(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert())
    result = order.modify(dcv_method="email")
    assert result.status is CertificateStatus.WAITING_FOR_CA
    assert result.retry_method == "issue_certificate_request"
    assert certcentral_sim.orders_placed == 0
