"""The CertCentral simulator itself, driven with plain HTTP: strict like the real API."""

from __future__ import annotations

import httpx
import pytest
from x509_helpers import make_csr, make_key, tamper_signature, verify_server_chain

from tests.simulators.certcentral_fixture import certcentral_sim  # noqa: F401

ORG = {"id": 112233}


@pytest.fixture
def api(certcentral_sim):  # noqa: F811
    with httpx.Client(
        base_url=certcentral_sim.base_url, headers={"X-DC-DEVKEY": certcentral_sim.api_key}
    ) as client:
        yield client


def _body(names=("www.example.test",), **extra):
    csr = make_csr(make_key("p256"), list(names))
    certificate = {"common_name": names[0], "csr": csr, "signature_hash": "sha256"}
    if len(names) > 1:
        certificate["dns_names"] = list(names[1:])
    return {"certificate": certificate, "organization": ORG, "validity_years": 1, **extra}


def _error(response, status, code):
    assert response.status_code == status, response.text
    errors = response.json()["errors"]
    assert isinstance(errors, list) and errors[0]["code"] == code
    assert errors[0]["message"]


def test_missing_and_wrong_key_are_401(certcentral_sim):  # noqa: F811
    url = certcentral_sim.base_url + "order/certificate"
    _error(httpx.get(url), 401, "access_denied|invalid_api_key")
    _error(httpx.get(url, headers={"X-DC-DEVKEY": "wrong"}), 401, "access_denied|invalid_api_key")
    assert httpx.get(url, headers={"X-DC-DEVKEY": certcentral_sim.api_key}).status_code == 200


def test_body_must_be_json(api):
    response = api.post(
        "order/certificate/ssl_basic",
        content=b"common_name=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _error(response, 400, "bad_request_format")
    response = api.post(
        "order/certificate/ssl_basic",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    _error(response, 400, "bad_request_format")


@pytest.mark.parametrize(
    ("mutate", "status", "code"),
    [
        (lambda b: b["certificate"].pop("csr"), 400, "missing_param|certificate.csr"),
        (
            lambda b: b["certificate"].pop("common_name"),
            400,
            "missing_param|certificate.common_name",
        ),
        (
            lambda b: b["certificate"].pop("signature_hash"),
            400,
            "missing_param|certificate.signature_hash",
        ),
        (lambda b: b.pop("organization"), 400, "missing_param|organization.id"),
        (lambda b: b.pop("validity_years"), 400, "missing_param|validity_years"),
        (
            lambda b: b["certificate"].update(
                csr="-----BEGIN CERTIFICATE REQUEST-----\nxx\n-----END CERTIFICATE REQUEST-----"
            ),
            400,
            "csr_invalid_cannot_parse",
        ),
        (
            lambda b: b["certificate"].update(common_name="other.example.test"),
            400,
            "invalid_param|certificate.common_name",
        ),
        (lambda b: b.update(dcv_method="fax"), 400, "invalid_param|dcv_method"),
        (lambda b: b.update(organization={"id": 999}), 400, "invalid_param|organization.id"),
    ],
)
def test_malformed_orders_get_the_real_errors(certcentral_sim, api, mutate, status, code):  # noqa: F811
    body = _body()
    mutate(body)
    _error(api.post("order/certificate/ssl_basic", json=body), status, code)
    assert certcentral_sim.orders_placed == 0


def test_tampered_csr_is_refused(api):
    body = _body()
    body["certificate"]["csr"] = tamper_signature(body["certificate"]["csr"])
    _error(api.post("order/certificate/ssl_basic", json=body), 400, "csr_invalid_cannot_parse")


def test_unknown_product_and_route_and_order(api):
    _error(api.post("order/certificate/ssl_gold_plated", json=_body()), 404, "not_found|product")
    _error(api.get("order/certificate/424242"), 404, "not_found|order")
    _error(api.get("no/such/thing"), 404, "not_found|route")


def test_immediate_issue_answer_and_download(certcentral_sim, api):  # noqa: F811
    response = api.post(
        "order/certificate/ssl_basic", json=_body(("www.example.test", "api.example.test"))
    )
    assert response.status_code == 201
    answer = response.json()
    assert answer["requests"][0]["status"] == "approved"
    chain = [link["pem"] for link in answer["certificate_chain"]]
    verify_server_chain(chain[0], chain[1], certcentral_sim.root_pem, "api.example.test")
    pem_all = api.get(f"certificate/{answer['certificate_id']}/download/format/pem_all")
    assert pem_all.headers["content-type"] == "application/x-pem-file"
    assert pem_all.text == "".join(chain)
    info = api.get(f"order/certificate/{answer['id']}").json()
    assert info["status"] == "issued"
    assert info["product"]["name_id"] == "ssl_basic"
    assert certcentral_sim.orders_placed == 1


def test_pending_order_cancel_and_list(certcentral_sim, api):  # noqa: F811
    certcentral_sim.set_scenario("pending", polls=3)
    body = _body(comments="certorder-order-id:abc")
    order_id = api.post("order/certificate/ssl_basic", json=body).json()["id"]
    info = api.get(f"order/certificate/{order_id}").json()
    assert info["status"] == "pending"
    assert info["requests"][0]["comments"] == "certorder-order-id:abc"
    listed = api.get(
        "order/certificate",
        params={
            "filters[common_name]": "www.example.test",
            "filters[product_name_id]": "ssl_basic",
        },
    )
    assert [o["id"] for o in listed.json()["orders"]] == [order_id]
    assert (
        api.get("order/certificate", params={"filters[common_name]": "x.test"}).json()["orders"]
        == []
    )
    _error(
        api.put(f"order/certificate/{order_id}/status", json={"status": "canceled"}),
        400,
        "missing_param|note",
    )
    assert (
        api.put(
            f"order/certificate/{order_id}/status", json={"status": "canceled", "note": "no"}
        ).status_code
        == 204
    )
    assert api.get(f"order/certificate/{order_id}").json()["status"] == "canceled"


def test_dcv_check_fails_until_the_method_changes(certcentral_sim, api):  # noqa: F811
    certcentral_sim.set_scenario("dcv")
    answer = api.post("order/certificate/ssl_basic", json=_body(dcv_method="http-token")).json()
    assert len(answer["dcv_random_value"]) == 32
    _error(
        api.put(f"order/certificate/{answer['id']}/check-dcv"), 400, "file_random_value_not_found"
    )
    changed = api.put(
        f"order/certificate/{answer['id']}/dcv-method", json={"dcv_method": "dns-txt-token"}
    )
    assert changed.status_code == 200 and changed.json()["dcv_random_value"]
    checked = api.put(f"order/certificate/{answer['id']}/check-dcv").json()
    assert checked["order_status"] == "issued" and checked["dcv_status"] == "valid"


def test_faults_and_outage(certcentral_sim, api):  # noqa: F811
    certcentral_sim.fail_next(429, count=2, retry_after=9)
    for _ in range(2):
        response = api.get("order/certificate")
        _error(response, 429, "request_limit_exceeded")
        assert response.headers["Retry-After"] == "9"
    certcentral_sim.fail_next(503)
    assert api.get("order/certificate").status_code == 503
    assert api.get("order/certificate").status_code == 200
    port = certcentral_sim.port
    certcentral_sim.go_offline()
    with pytest.raises(httpx.ConnectError):
        api.get("order/certificate")
    certcentral_sim.go_online()
    assert certcentral_sim.port == port
    assert api.get("order/certificate").status_code == 200


def test_admin_api(certcentral_sim):  # noqa: F811
    admin = f"http://127.0.0.1:{certcentral_sim.port}/_sim/"
    assert httpx.post(admin + "scenario", json={"kind": "reject", "polls": 1}).status_code == 200
    assert certcentral_sim.scenario.kind == "reject"
    assert httpx.post(admin + "scenario", json={"kind": "nope"}).status_code == 400
    state = httpx.get(admin + "state").json()
    assert state == {"orders_placed": 0, "scenario": "reject", "orders": {}}
    assert httpx.get(admin + "root").json()["pem"] == certcentral_sim.root_pem


def test_orders_listed_by_creation_date(certcentral_sim, api):  # noqa: F811
    old = api.post("order/certificate/ssl_basic", json=_body()).json()["id"]
    certcentral_sim.age_orders(days=30)
    new = api.post("order/certificate/ssl_basic", json=_body()).json()["id"]
    listed = api.get("order/certificate").json()["orders"]
    assert {o["id"] for o in listed} == {old, new}
    recent = api.get("order/certificate", params={
        "filters[common_name]": "www.example.test",
        "filters[date_created]": "2000-01-01...2999-12-31"}).json()
    assert recent["page"]["total"] == 2
    dates = {o["id"]: o["date_created"][:10] for o in listed}
    only_new = api.get("order/certificate", params={
        "filters[date_created]": f"{dates[new]}...{dates[new]}"}).json()
    assert [o["id"] for o in only_new["orders"]] == [new]
    for bad in ("2026-01-01", "yesterday...today", "2026-13-01...2026-12-31"):
        _error(api.get("order/certificate", params={"filters[date_created]": bad}),
               400, "invalid_param|filters[date_created]")
