"""The symantec plugin: Secure Site products through the same CertCentral client."""

from __future__ import annotations

import pytest
from x509_helpers import verify_server_chain

from certorder.plugins.certcentral.digicert import DigiCertPlugin
from certorder.plugins.certcentral.plugin import CertCentralPlugin
from certorder.plugins.certcentral.symantec import SymantecPlugin
from certorder.plugins.interface.errors import InvalidOrderError
from certorder.plugins.interface.status import CertificateStatus


def test_symantec_shares_the_certcentral_code():
    assert issubclass(SymantecPlugin, CertCentralPlugin)
    assert issubclass(DigiCertPlugin, CertCentralPlugin)
    # only configuration differs: no order method is overridden
    for method in (
        "issue_certificate_request",
        "check_certificate_status",
        "modify_certificate_request",
        "cancel_certificate_request",
    ):
        assert getattr(SymantecPlugin, method) is getattr(CertCentralPlugin, method)


def test_secure_site_order_is_issued(certcentral_sim, make_symantec, new_order):
    order = new_order(make_symantec())
    result = order.issue()
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    verify_server_chain(
        result.certificate, result.intermediates, certcentral_sim.root_pem, "www.example.test"
    )
    remote = certcentral_sim.account.get(order.plugin_meta["certcentral_order_id"])
    assert remote.req.product == "ssl_securesite_flex"
    assert order.plugin_meta["product"] == "ssl_securesite_flex"


def test_secure_site_pro_ev_pending_then_issued(certcentral_sim, make_symantec, new_order):
    certcentral_sim.set_scenario("pending", polls=1)
    order = new_order(make_symantec(), profile="ssl_ev_securesite_pro")
    assert order.issue().status is CertificateStatus.WAITING_FOR_CA
    assert order.check().status is CertificateStatus.CERTIFICATE_GENERATED
    remote = certcentral_sim.account.get(order.plugin_meta["certcentral_order_id"])
    assert remote.req.product == "ssl_ev_securesite_pro"
    assert certcentral_sim.orders_placed == 1


def test_digicert_only_product_is_refused(certcentral_sim, make_symantec, new_order):
    plugin = make_symantec()
    with pytest.raises(InvalidOrderError, match="ssl_basic"):
        plugin.validate_order_meta({"profile": "ssl_basic"})
    # also if it slips past submission: nothing is ordered
    result = new_order(plugin, profile="ssl_basic").issue()
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert certcentral_sim.orders_placed == 0


def test_symantec_environment_prefix(certcentral_sim, monkeypatch, make_symantec):
    monkeypatch.setenv("CERTORDER_SYMANTEC_DEFAULT_PRODUCT", "ssl_securesite_pro")
    monkeypatch.setenv("CERTORDER_DIGICERT_DEFAULT_PRODUCT", "ssl_plus")
    assert make_symantec().settings.default_product == "ssl_securesite_pro"


def test_each_plugin_supports_its_own_products(make_digicert, make_symantec):
    digicert, symantec = make_digicert(), make_symantec()
    assert symantec.supports({"profile": "ssl_ev_securesite_flex"})
    assert not digicert.supports({"profile": "ssl_ev_securesite_flex"})
    assert digicert.supports({"profile": "ssl_dv_rapidssl"})
    assert not symantec.supports({"profile": "ssl_dv_rapidssl"})
    assert digicert.supports({}) and symantec.supports({})
