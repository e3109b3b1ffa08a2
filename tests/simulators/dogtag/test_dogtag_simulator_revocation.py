"""The simulator's revocation: driven by the official ``dogtag-pki`` client where it is
installed, and strict about malformed revoke requests (as ``AgentCertService`` is)."""

from __future__ import annotations

import ssl

import httpx
import pytest
from x509_helpers import make_csr, make_key

from simulators.dogtag.server import DogtagSimulator


def _issued(sim: DogtagSimulator) -> int:
    sim.set_auto_issue("caServerCert")
    record = sim.engine.enroll("caServerCert", {"cert_request_type": "pkcs10",
                                                "cert_request": make_csr(make_key())}, None)
    return record.cert_serial


def _agent(sim: DogtagSimulator, agent: bool = True) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(sim.ca_bundle_file))
    if agent:
        context.load_cert_chain(str(sim.client_cert_file), str(sim.client_key_file))
    return httpx.Client(base_url=sim.base_url, verify=context, timeout=5)


def _error(reply: httpx.Response) -> tuple[int, str, str]:
    body = reply.json()
    return reply.status_code, body["ClassName"].rsplit(".", 1)[-1], body["Message"]


def test_the_official_client_revokes_and_the_certificate_reads_revoked(dogtag_sim):
    pki_cert = pytest.importorskip("pki.cert", reason="dogtag-pki not installed")
    import pki.client

    connection = pki.client.PKIConnection("https", "127.0.0.1", str(dogtag_sim.port),
                                          cert_paths=str(dogtag_sim.tls.root_pem))
    connection.set_authentication_cert(str(dogtag_sim.tls.agent_cert),
                                       str(dogtag_sim.tls.agent_key))
    client = pki_cert.CertClient(connection)
    serial = _issued(dogtag_sim)
    info = client.revoke_cert(hex(serial), revocation_reason="Key_Compromise")
    assert info.request_status == "complete"
    assert info.request_type == "revocation"
    data = client.get_cert(hex(serial))
    assert data.status == "REVOKED"
    assert dogtag_sim.revocations.revoked[serial].reason == 1
    with pytest.raises(pki.BadRequestException, match="has already been revoked"):
        client.revoke_cert(hex(serial), revocation_reason="Superseded")
    assert dogtag_sim.revocations.revocation_requests == 1


def test_malformed_revoke_requests_are_refused_like_dogtag(dogtag_sim):
    serial = _issued(dogtag_sim)
    path = f"/ca/rest/agent/certs/{hex(serial)}/revoke"
    with _agent(dogtag_sim) as agent, _agent(dogtag_sim, agent=False) as anonymous:
        assert _error(anonymous.post(path, json={"Reason": "Unspecified", "Nonce": 1}))[:2] == \
            (403, "ForbiddenException")
        assert _error(agent.post("/ca/rest/agent/certs/0x999/revoke", json={}))[:2] == \
            (404, "CertNotFoundException")
        assert _error(agent.post(path, json=["Reason"]))[2] == \
            "Unable to revoke cert: invalid request"
        nonce = agent.get(f"/ca/rest/agent/certs/{hex(serial)}").json()["Nonce"]
        assert _error(agent.post(path, json={"Reason": "stolen", "Nonce": nonce}))[0] == 400
        assert _error(agent.post(path, json={"Reason": "Unspecified"}))[2] == "Missing nonce."
        assert _error(agent.post(path, json={"Reason": "Unspecified", "Nonce": 12345}))[:2] == \
            (403, "ForbiddenException")
        # A nonce is for one session: another connection's nonce does not count.
        with _agent(dogtag_sim) as other:
            foreign = other.get(f"/ca/rest/agent/certs/{hex(serial)}").json()["Nonce"]
        assert _error(agent.post(path, json={"Reason": "Unspecified", "Nonce": foreign}))[0] \
            == 403
    assert dogtag_sim.revocations.revoked == {}
    assert agent_status(dogtag_sim, serial) == "VALID"


def agent_status(sim: DogtagSimulator, serial: int) -> str:
    with _agent(sim, agent=False) as client:
        return client.get(f"/ca/rest/certs/{hex(serial)}").json()["Status"]
