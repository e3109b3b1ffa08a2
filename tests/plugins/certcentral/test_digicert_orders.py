"""The digicert plugin against the CertCentral simulator, over real HTTP: each status."""

from __future__ import annotations

from cryptography import x509
from x509_helpers import verify_server_chain

from certorder.plugins.interface.status import CertificateStatus

ISSUED = CertificateStatus.CERTIFICATE_GENERATED


def _verifies(result, sim, name: str = "www.example.test") -> None:
    assert result.status is ISSUED, result.status_message
    chain = verify_server_chain(result.certificate, result.intermediates, sim.root_pem, name)
    # leaf, intermediate, root: the root is not returned among the intermediates
    assert len(chain) == 3
    assert len(x509.load_pem_x509_certificates(result.intermediates.encode())) == 1


def test_immediate_issue_returns_leaf_and_intermediate(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert(), names=("www.example.test", "api.example.test"))
    result = order.issue()
    _verifies(result, certcentral_sim)
    _verifies(result, certcentral_sim, "api.example.test")
    assert order.plugin_meta["certcentral_order_id"] > 0
    assert order.plugin_meta["product"] == "ssl_basic"
    assert certcentral_sim.orders_placed == 1


def test_pending_then_issued(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=2)
    order = new_order(make_digicert(retry_msec=1234))
    first = order.issue()
    assert first.status is CertificateStatus.WAITING_FOR_CA
    assert first.retry_msec == 1234
    assert order.check().status is CertificateStatus.WAITING_FOR_CA
    _verifies(order.check(), certcentral_sim)
    assert certcentral_sim.orders_placed == 1


def test_pending_order_honours_the_servers_retry_after(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=5)
    certcentral_sim.order_retry_after = 17
    order = new_order(make_digicert(retry_msec=1234))
    result = order.issue()
    assert result.status is CertificateStatus.WAITING_FOR_CA
    assert result.retry_msec == 17_000


def test_dcv_is_a_client_data_issue_until_a_modify(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("dcv")
    order = new_order(make_digicert(dcv_retry_msec=4321))
    first = order.issue()
    assert first.status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    assert first.retry_msec == 4321
    # DigiCert's own words, and the token the client has to publish
    assert "Could not find a valid TXT record" in first.status_message
    assert order.plugin_meta["dcv_random_value"] in first.status_message
    assert order.check().status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    result = order.modify(dcv_method="http-token")
    _verifies(result, certcentral_sim)
    assert order.plugin_meta["dcv_method"] == "http-token"


def test_resending_dcv_emails_is_applied(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("dcv")
    order = new_order(make_digicert(), dcv_method="dns-cname-token")
    assert order.issue().status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    _verifies(order.modify(resend_dcv_emails=True), certcentral_sim)


def test_dcv_completes_by_itself_after_polls(certcentral_sim, make_digicert, new_order):
    # Two reads while DCV is not done: the issue's, and its re-read once the DCV
    # check is refused; DigiCert's own polling succeeds by the third.
    certcentral_sim.set_scenario("dcv", polls=2)
    order = new_order(make_digicert())
    assert order.issue().status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    _verifies(order.check(), certcentral_sim)


def test_a_dcv_check_that_another_check_overtook_finds_the_order_issued(
        certcentral_sim, make_digicert, new_order):
    # Two checks of one order overlap (a quick check made again while the first ran):
    # the first completes DCV and DigiCert issues, so DigiCert refuses the second's
    # DCV check (the order is no longer pending). That one must still find the order
    # issued, not tell the client to publish a token and wait for dcv_retry_msec.
    certcentral_sim.set_scenario("dcv")
    plugin = make_digicert()
    order = new_order(plugin)
    assert order.issue().status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    remote = certcentral_sim.account.get(order.plugin_meta["certcentral_order_id"])
    real_check_dcv = plugin.reporter.client.check_dcv

    def overtaken(remote_id):
        remote.dcv_satisfied = True  # the client has published the token meanwhile
        real_check_dcv(remote_id)  # the other check, which issues
        return real_check_dcv(remote_id)  # this one: refused, no longer pending

    plugin.reporter.client.check_dcv = overtaken
    _verifies(order.check(), certcentral_sim)
    assert certcentral_sim.orders_placed == 1


def test_needs_approval_is_a_client_issue_until_approved(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("approval")
    order = new_order(make_digicert())
    result = order.issue()
    assert result.status is CertificateStatus.CLIENT_DATA_ISSUE_SEEN
    assert "needs approval" in result.status_message
    certcentral_sim.approve(order.plugin_meta["certcentral_order_id"])
    _verifies(order.check(), certcentral_sim)


def test_rejection_is_invalid_operation_with_the_reason(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("reject", polls=1, reason="Organization could not be verified.")
    order = new_order(make_digicert())
    assert order.issue().status is CertificateStatus.WAITING_FOR_CA
    result = order.check()
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert "rejected" in result.status_message
    assert "Organization could not be verified." in result.status_message


def test_cancel_while_pending(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("pending", polls=10)
    order = new_order(make_digicert())
    assert order.issue().status is CertificateStatus.WAITING_FOR_CA
    assert order.cancel().status is CertificateStatus.REQUEST_CANCELED
    remote = certcentral_sim.account.get(order.plugin_meta["certcentral_order_id"])
    assert remote.status == "canceled"
    # a repeated cancel (activity retried) is still a success
    assert order.cancel().status is CertificateStatus.REQUEST_CANCELED
    assert order.check().status is CertificateStatus.REQUEST_CANCELED


def test_ca_side_cancel_is_reported(certcentral_sim, make_digicert, new_order):
    certcentral_sim.set_scenario("cancel")
    order = new_order(make_digicert())
    assert order.issue().status is CertificateStatus.REQUEST_CANCELED


def test_cancel_of_an_issued_order_is_refused(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert())
    assert order.issue().status is ISSUED
    result = order.cancel()
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert "issued" in result.status_message


def test_dv_product_needs_no_organization(certcentral_sim, make_digicert, new_order):
    order = new_order(make_digicert(organization_id=None), profile="ssl_dv_geotrust")
    _verifies(order.issue(), certcentral_sim)
    remote = certcentral_sim.account.get(order.plugin_meta["certcentral_order_id"])
    assert remote.req.product == "ssl_dv_geotrust"
    assert remote.req.organization_id is None
