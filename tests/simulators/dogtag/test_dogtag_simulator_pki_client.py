"""The simulator driven by the official ``dogtag-pki`` client (PyPI, 11.2.1): if the real
client can enroll, approve, fetch and manage authorities, the simulator speaks Dogtag."""

from __future__ import annotations

import base64

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from x509_helpers import make_csr, make_key, verify_server_chain

pytest.importorskip("pki", reason="dogtag-pki (and python-ldap) not installed")
import pki  # noqa: E402
import pki.authority  # noqa: E402
import pki.cert  # noqa: E402
import pki.client  # noqa: E402
import pki.info  # noqa: E402

# The client builds its TLS context with the deprecated ssl.PROTOCOL_TLS.
pytestmark = pytest.mark.filterwarnings("ignore:ssl.PROTOCOL_TLS is deprecated:DeprecationWarning")


def _connection(sim, agent: bool = True) -> pki.client.PKIConnection:
    connection = pki.client.PKIConnection(
        "https", "127.0.0.1", str(sim.port), cert_paths=str(sim.tls.root_pem)
    )
    if agent:
        connection.set_authentication_cert(str(sim.tls.agent_cert), str(sim.tls.agent_key))
    return connection


def _inputs() -> dict[str, str]:
    return {
        "cert_request_type": "pkcs10",
        "cert_request": make_csr(make_key()),
        "requestor_name": "pki client test",
    }


def test_enroll_approve_and_retrieve(dogtag_sim):
    client = pki.cert.CertClient(_connection(dogtag_sim))
    request = client.create_enrollment_request("caServerCert", _inputs())
    (info,) = client.submit_enrollment_request(request)
    assert info.request_status == pki.cert.CertRequestStatus.PENDING
    review = client.review_request(info.request_id)
    assert review.profile_id == "caServerCert"
    assert review.nonce
    client.approve_request(info.request_id, review)
    info = client.get_request(info.request_id)
    assert info.request_status == pki.cert.CertRequestStatus.COMPLETE
    cert_data = client.get_cert(info.cert_id)
    chain = pkcs7.load_der_pkcs7_certificates(base64.b64decode(cert_data.pkcs7_cert_chain))
    intermediates = "".join(
        c.public_bytes(Encoding.PEM).decode()
        for c in chain
        if c.subject.rfc4514_string() == "CN=CA Signing Certificate,O=EXAMPLE"
    )
    verify_server_chain(cert_data.encoded, intermediates, dogtag_sim.root_pem, "www.example.test")
    assert dogtag_sim.enrollment_count == 1


def test_enroll_cert_in_one_call(dogtag_sim):
    (result,) = pki.cert.CertClient(_connection(dogtag_sim)).enroll_cert("caServerCert", _inputs())
    assert result.request.request_status == pki.cert.CertRequestStatus.COMPLETE
    assert result.cert.encoded.startswith("-----BEGIN CERTIFICATE-----")


def test_cancel_reject_and_their_errors(dogtag_sim):
    client = pki.cert.CertClient(_connection(dogtag_sim))
    (first,) = client.submit_enrollment_request(
        client.create_enrollment_request("caServerCert", _inputs())
    )
    (second,) = client.submit_enrollment_request(
        client.create_enrollment_request("caServerCert", _inputs())
    )
    client.cancel_request(first.request_id)
    client.reject_request(second.request_id)
    assert client.get_request(first.request_id).request_status == "canceled"
    assert client.get_request(second.request_id).request_status == "rejected"
    with pytest.raises(pki.BadRequestException, match="not pending"):
        client.cancel_request(first.request_id)
    with pytest.raises(pki.RequestNotFoundException):
        client.get_request("4242")
    with pytest.raises(pki.CertNotFoundException):
        client.get_cert("0x4242")
    with pytest.raises(pki.BadRequestException, match="Profile not found"):
        client.get_enrollment_template("caNoSuchProfile")


def test_listings(dogtag_sim):
    client = pki.cert.CertClient(_connection(dogtag_sim))
    templates = [t.profile_id for t in client.list_enrollment_templates()]
    assert "caServerCert" in templates
    client.submit_enrollment_request(client.create_enrollment_request("caServerCert", _inputs()))
    client.enroll_cert("caServerCert", _inputs())
    # The client names the filter ``requestStatus``; Dogtag reads ``requestState``, so
    # the filter has no effect, on the real server as here.
    listed = list(client.list_requests(request_status="pending"))
    assert sorted(r.request_status for r in listed) == ["complete", "pending"]
    info = pki.info.InfoClient(_connection(dogtag_sim)).get_info()
    assert info.version == "11.2.1"


def test_agent_resources_need_the_agent_certificate(dogtag_sim):
    anonymous = pki.cert.CertClient(_connection(dogtag_sim, agent=False))
    (info,) = anonymous.submit_enrollment_request(
        anonymous.create_enrollment_request("caServerCert", _inputs())
    )
    assert anonymous.get_request(info.request_id).request_status == "pending"
    with pytest.raises(pki.ForbiddenException, match="Anonymous access not allowed"):
        anonymous.review_request(info.request_id)


def test_authorities(dogtag_sim):
    connection = _connection(dogtag_sim)
    authorities = pki.authority.AuthorityClient(connection)
    (host,) = authorities.list_cas()
    assert host.is_host_authority and host.enabled
    created = authorities.create_ca(
        pki.authority.AuthorityData(
            dn="CN=Sub From Client,O=EXAMPLE", parent_aid=host.aid, description="client made"
        )
    )
    assert created.parent_aid == host.aid
    cert = x509.load_pem_x509_certificate(authorities.get_cert(created.aid).encode())
    assert cert.subject.rfc4514_string() == "CN=Sub From Client,O=EXAMPLE"
    chain = pkcs7.load_pem_pkcs7_certificates(authorities.get_chain(created.aid, "PEM").encode())
    assert len(chain) == 3
    (result,) = pki.cert.CertClient(connection).enroll_cert(
        "caServerCert", _inputs(), authority=created.aid
    )
    assert "Sub From Client" in result.cert.issuer_dn
    with pytest.raises(pki.ConflictingOperationException):
        authorities.delete_ca(created.aid)
    authorities.disable_ca(created.aid)
    authorities.delete_ca(created.aid)
    assert [ca.aid for ca in authorities.list_cas()] == [host.aid]
