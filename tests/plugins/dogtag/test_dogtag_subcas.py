"""Lightweight sub-CAs of the simulated Dogtag as the plugin's CAs."""

from __future__ import annotations

import pytest
from cryptography import x509
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.interface.dto import CACreateDTO, CoreMetaDTO
from certorder.plugins.interface.errors import CAOperationError, CAUnavailableError, UnknownCAError
from certorder.plugins.interface.status import CertificateStatus as S


def test_default_ca_is_the_host_authority(make_dogtag, dogtag_sim):
    (info,) = make_dogtag().get_ca_info()
    assert info.ca_id == "dogtag"
    cert = x509.load_pem_x509_certificate(info.ca_signing_certificate.encode())
    assert cert == dogtag_sim.host_ca.cert
    # The chain above the host CA is its root, which is left out like any root.
    assert info.intermediates is None


def test_create_issue_from_and_delete_a_sub_ca(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    assert plugin.supports_create_ca()
    sub = plugin.create_ca(
        CACreateDTO(name="Web", subject_dn="CN=Web Sub CA,O=EXAMPLE", description="web")
    )
    assert sub.parent_ca_id == "dogtag"
    assert sub.description == "web"
    assert {ca.ca_id for ca in plugin.get_ca_info()} == {"dogtag", sub.ca_id}

    plugin_meta: dict = {}
    order = {"request_type": "simple-cmc", "request_data": make_csr(make_key())}
    result = plugin.issue_certificate_request(
        "sub-1", order, plugin_meta, CoreMetaDTO(plugin_ca_id=sub.ca_id)
    )
    assert result.status is S.CERTIFICATE_GENERATED
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    assert leaf.issuer.rfc4514_string() == "CN=Web Sub CA,O=EXAMPLE"
    chain = verify_server_chain(
        result.certificate, result.intermediates, dogtag_sim.root_pem, "www.example.test"
    )
    assert len(chain) == 4
    assert ("POST", "/ca/rest/certrequests") in dogtag_sim.calls

    grandchild = plugin.create_ca(CACreateDTO(name="Deep", parent_ca_id=sub.ca_id))
    assert grandchild.parent_ca_id == sub.ca_id
    with pytest.raises(CAOperationError, match="sub-CAs"):
        plugin.delete_ca(sub.ca_id)
    plugin.delete_ca(grandchild.ca_id)
    plugin.delete_ca(sub.ca_id)
    assert [ca.ca_id for ca in plugin.get_ca_info()] == ["dogtag"]


def test_orders_for_an_unknown_authority_fail_with_dogtags_message(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    order = {"request_type": "simple-cmc", "request_data": make_csr(make_key())}
    missing = "0b9b1a77-58a8-4bd6-9c3a-111111111111"
    result = plugin.issue_certificate_request("sub-2", order, {}, CoreMetaDTO(plugin_ca_id=missing))
    assert result.status is S.INVALID_OPERATION
    assert f"CA not found: {missing}" in result.status_message
    assert dogtag_sim.enrollment_count == 0


def test_host_and_unknown_cas_cannot_be_deleted(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    with pytest.raises(CAOperationError, match="host CA"):
        plugin.delete_ca("dogtag")
    with pytest.raises(CAOperationError):
        plugin.delete_ca(dogtag_sim.host_authority_id)
    with pytest.raises(UnknownCAError):
        plugin.delete_ca("0b9b1a77-58a8-4bd6-9c3a-222222222222")


def test_duplicate_subject_is_refused(make_dogtag):
    plugin = make_dogtag()
    plugin.create_ca(CACreateDTO(name="Twice", subject_dn="CN=Twice,O=EXAMPLE"))
    with pytest.raises(CAOperationError, match="already used"):
        plugin.create_ca(CACreateDTO(name="Twice", subject_dn="CN=Twice,O=EXAMPLE"))


def test_a_dogtag_without_lightweight_cas_lists_only_its_default(make_dogtag, dogtag_sim):
    dogtag_sim.authorities = False
    (info,) = make_dogtag().get_ca_info()
    assert info.ca_id == "dogtag"
    assert info.ca_signing_certificate is None


def test_listing_cas_during_an_outage_says_the_ca_is_unavailable(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    dogtag_sim.go_offline()
    with pytest.raises(CAUnavailableError, match="cannot reach Dogtag"):
        plugin.get_ca_info()
