"""Malformed requests sent by hand get the errors Dogtag gives, never a success."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys

import httpx
import pytest
from x509_helpers import make_csr, make_key, tamper_signature

from simulators.dogtag import shapes


def _client(sim, agent: bool = True, cert=None) -> httpx.Client:
    context = ssl.create_default_context(cafile=str(sim.tls.root_pem))
    if agent or cert:
        chosen = cert or (sim.tls.agent_cert, sim.tls.agent_key)
        context.load_cert_chain(str(chosen[0]), str(chosen[1]))
    return httpx.Client(base_url=sim.base_url, verify=context, timeout=5)


def _enrollment(csr: str | None, profile: str = "caServerCert", kind: str = "pkcs10") -> dict:
    attributes = [{"name": "cert_request_type", "Value": kind}]
    if csr is not None:
        attributes.append({"name": "cert_request", "Value": csr})
    input_ = {
        "id": "i1",
        "ClassID": "certReqInputImpl",
        "Attribute": attributes,
        "ConfigAttribute": [],
    }
    return {"ProfileID": profile, "Renewal": False, "Input": [input_], "Output": []}


def _error(reply: httpx.Response, status: int, class_name: str, fragment: str) -> None:
    assert reply.status_code == status, reply.text
    body = reply.json()
    assert set(body) == {"Attributes", "ClassName", "Code", "Message"}
    assert (body["ClassName"], body["Code"]) == (class_name, status)
    assert fragment in body["Message"]


def _post(client, path, body, **kwargs):
    return client.post(
        path, content=json.dumps(body), headers={"Content-Type": "application/json"}, **kwargs
    )


def test_enrollment_errors(dogtag_sim):
    with _client(dogtag_sim, agent=False) as client:
        csr = make_csr(make_key())
        _error(
            _post(client, "/ca/rest/certrequests", _enrollment(csr, "caBogus")),
            400,
            shapes.BAD_REQUEST,
            "Profile caBogus not found",
        )
        body = _enrollment(csr)
        del body["ProfileID"]
        _error(
            _post(client, "/ca/rest/certrequests", body),
            400,
            shapes.BAD_REQUEST,
            "Profile null not found",
        )
        _error(
            _post(
                client,
                "/ca/rest/certrequests",
                {**body, "ProfileID": "caServerCert", "Input": {"id": "i1"}},
            ),
            400,
            shapes.BAD_REQUEST,
            "Invalid input data",
        )
        for broken in (
            _enrollment(None),
            _enrollment("not a csr"),
            _enrollment(tamper_signature(csr)),
        ):
            _error(
                _post(client, "/ca/rest/certrequests", broken),
                500,
                shapes.PKI_EXCEPTION,
                "Invalid Request",
            )
        _error(
            _post(client, "/ca/rest/certrequests", _enrollment(csr, kind="x509")),
            500,
            shapes.PKI_EXCEPTION,
            "Unknown Certificate Request Type",
        )
        reply = client.post(
            "/ca/rest/certrequests",
            content=b"{not json",
            headers={"Content-Type": "application/json"},
        )
        _error(reply, 400, shapes.BAD_REQUEST, "invalid JSON")
        reply = client.post(
            "/ca/rest/certrequests",
            content=json.dumps(_enrollment(csr)),
            headers={"Content-Type": "text/plain"},
        )
        assert reply.status_code == 415
        _error(
            _post(
                client,
                "/ca/rest/certrequests",
                _enrollment(csr),
                params={"issuer-id": "not-a-uuid"},
            ),
            400,
            shapes.BAD_REQUEST,
            "Invalid authority ID",
        )
        _error(
            _post(
                client,
                "/ca/rest/certrequests",
                _enrollment(csr),
                params={"issuer-id": dogtag_sim.host_authority_id, "issuer-dn": "CN=x"},
            ),
            400,
            shapes.BAD_REQUEST,
            "both issuer ID and issuer DN",
        )
    assert dogtag_sim.enrollment_count == 0


def test_routing_and_media_types(dogtag_sim):
    with _client(dogtag_sim, agent=False) as client:
        assert client.get("/ca/rest/nothing-here").status_code == 404
        assert client.delete("/ca/rest/certrequests").status_code == 405
        reply = client.get("/ca/rest/certrequests/profiles", headers={"Accept": "application/xml"})
        assert reply.status_code == 406
        _error(
            client.get("/ca/rest/certrequests/77"),
            404,
            shapes.REQUEST_NOT_FOUND,
            "Request ID 77 not found",
        )


def _pending_request(client) -> str:
    reply = _post(client, "/ca/rest/certrequests", _enrollment(make_csr(make_key())))
    assert reply.status_code == 200
    (info,) = reply.json()["entries"]
    assert info["requestStatus"] == "pending"
    return info["requestURL"].rsplit("/", 1)[1]


def test_agent_actions_need_the_reviews_nonce_on_the_same_session(dogtag_sim):
    with _client(dogtag_sim) as agent, _client(dogtag_sim) as other_session:
        request_id = _pending_request(agent)
        path = f"/ca/rest/agent/certrequests/{request_id}"
        review = agent.get(path).json()
        without_nonce = {k: v for k, v in review.items() if k != "nonce"}
        _error(
            _post(agent, f"{path}/approve", without_nonce),
            400,
            shapes.BAD_REQUEST,
            "Missing nonce.",
        )
        _error(
            _post(agent, f"{path}/approve", {**review, "nonce": "12345"}),
            403,
            shapes.FORBIDDEN,
            "Invalid nonce: 12345",
        )
        # Another session holds no nonce for the request (Dogtag checks that first).
        missing = f"Nonce for cert-request {int(request_id)} does not exist"
        _error(_post(other_session, f"{path}/approve", review), 400, shapes.BAD_REQUEST, missing)
        # A nonce serves once; the request is no longer pending anyway.
        assert _post(agent, f"{path}/approve", review).status_code == 204
        _error(_post(agent, f"{path}/approve", review), 400, shapes.BAD_REQUEST, missing)
        _error(
            _post(agent, f"{path}/cancel", agent.get(path).json()),
            400,
            shapes.BAD_REQUEST,
            "is not pending",
        )
    assert dogtag_sim.request_status(request_id) == "complete"


def test_agent_resources_refuse_anonymous_and_foreign_certificates(dogtag_sim):
    with _client(dogtag_sim, agent=False) as anonymous:
        request_id = _pending_request(anonymous)
        _error(
            anonymous.get(f"/ca/rest/agent/certrequests/{request_id}"),
            403,
            shapes.FORBIDDEN,
            "Anonymous access not allowed.",
        )
        _error(
            anonymous.get("/ca/rest/agent/certrequests"),
            403,
            shapes.FORBIDDEN,
            "Anonymous access not allowed.",
        )
    stranger = (dogtag_sim.tls.stranger_cert, dogtag_sim.tls.stranger_key)
    with _client(dogtag_sim, agent=False, cert=stranger) as foreign:
        with pytest.raises(httpx.TransportError):
            foreign.get("/ca/rest/certrequests/profiles")
    with httpx.Client(verify=False, timeout=5) as plain:
        with pytest.raises(httpx.TransportError):
            plain.get(dogtag_sim.base_url.replace("https", "http") + "/pki/rest/info")


def test_scenario_controls(dogtag_sim):
    with _client(dogtag_sim) as client:
        dogtag_sim.fail_next(1, 503)
        reply = client.get("/pki/rest/info")
        assert reply.status_code == 503 and reply.headers["content-type"] == "text/html"
        assert client.get("/pki/rest/info").status_code == 200
        reply = _post(
            client,
            "/sim/scenario",
            {"action": "decide_after_polls", "polls": 1, "decision": "reject", "reason": "demo"},
        )
        assert reply.json() == {"enrollments": 0, "calls": 3}
        request_id = _pending_request(client)
        statuses = [
            client.get(f"/ca/rest/certrequests/{request_id}").json()["requestStatus"]
            for _ in range(2)
        ]
        assert statuses == ["pending", "rejected"]
    dogtag_sim.go_offline()
    with _client(dogtag_sim) as client, pytest.raises(httpx.ConnectError):
        client.get("/pki/rest/info")
    dogtag_sim.go_online()
    with _client(dogtag_sim) as client:
        assert client.get("/pki/rest/info").json()["Version"] == "11.2.1"


def test_runnable_by_hand(tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "simulators.dogtag", "--port", "0", "--workdir", str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("Dogtag simulator at https://127.0.0.1:")
        url = first.split(" at ", 1)[1].strip()
        context = ssl.create_default_context(cafile=str(tmp_path / "root.pem"))
        with httpx.Client(verify=context, timeout=5) as client:
            assert client.get(f"{url}/ca/rest/certrequests/profiles").json()["total"] == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
