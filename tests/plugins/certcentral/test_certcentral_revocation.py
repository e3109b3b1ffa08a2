"""Revocation through the digicert and symantec plugins, observed in the simulated
CertCentral account; and the simulator's strictness about revoke requests."""

from __future__ import annotations

import httpx
import pytest

from certorder.plugins import RevocationReason, RevocationStatus
from certorder.plugins.interface.errors import CAUnavailableError
from certorder.plugins.interface.status import CertificateStatus

R = RevocationReason


def _issued(plugin, new_order):
    order = new_order(plugin)
    result = order.issue()
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    return order, result.certificate


def _revoke(order, certificate, reason=R.KEY_COMPROMISE):
    return order.plugin.revoke_certificate(order.order_id, certificate, order.order_meta,
                                           order.plugin_meta, reason)


@pytest.mark.parametrize("plugin_fixture", ["make_digicert", "make_symantec"])
def test_revoke_with_skip_approval_revokes_once(certcentral_sim, new_order, request,
                                                plugin_fixture):
    plugin = request.getfixturevalue(plugin_fixture)(skip_approval=True)
    order, certificate = _issued(plugin, new_order)
    result = _revoke(order, certificate)
    assert result.status is RevocationStatus.REVOKED, result
    certificate_id = order.plugin_meta["certificate_id"]
    assert certcentral_sim.revocations.revoked == {certificate_id: "key_compromise"}
    again = _revoke(order, certificate, R.SUPERSEDED)
    assert again.status is RevocationStatus.REVOKED
    assert len(certcentral_sim.revocations.requests) == 1


def test_a_revoke_request_waits_for_approval_and_a_rejection_is_refused(
        certcentral_sim, make_digicert, new_order):
    plugin = make_digicert(retry_msec=4321)
    order, certificate = _issued(plugin, new_order)
    waiting = _revoke(order, certificate)
    assert (waiting.status, waiting.retry_msec) == (RevocationStatus.WAITING_FOR_CA, 4321)
    # A repeated call while the request is pending sends nothing new.
    assert _revoke(order, certificate).status is RevocationStatus.WAITING_FOR_CA
    [request_id] = certcentral_sim.revocations.requests
    certcentral_sim.revocations.decide(request_id, "approved", None)
    assert _revoke(order, certificate).status is RevocationStatus.REVOKED

    other, other_certificate = _issued(plugin, new_order)
    assert _revoke(other, other_certificate).status is RevocationStatus.WAITING_FOR_CA
    rejected = max(certcentral_sim.revocations.requests)
    certcentral_sim.revocations.decide(rejected, "rejected", "not without a ticket")
    refused = _revoke(other, other_certificate)
    assert refused.status is RevocationStatus.REFUSED
    assert "not without a ticket" in refused.status_message
    assert other.plugin_meta["certificate_id"] not in certcentral_sim.revocations.revoked


def test_a_reason_certcentral_does_not_offer_is_refused_without_a_call(
        certcentral_sim, make_digicert, new_order):
    order, certificate = _issued(make_digicert(skip_approval=True), new_order)
    result = _revoke(order, certificate, R.CERTIFICATE_HOLD)
    assert result.status is RevocationStatus.REFUSED
    assert "does not accept the reason certificateHold" in result.status_message
    assert certcentral_sim.revocations.requests == {}


def test_an_offline_certcentral_is_unavailable(certcentral_sim, make_digicert, new_order):
    order, certificate = _issued(make_digicert(skip_approval=True), new_order)
    certcentral_sim.go_offline()
    with pytest.raises(CAUnavailableError):
        _revoke(order, certificate)
    certcentral_sim.go_online()
    assert _revoke(order, certificate).status is RevocationStatus.REVOKED


def test_the_simulator_refuses_malformed_revoke_requests(certcentral_sim, make_digicert,
                                                         new_order):
    order, _ = _issued(make_digicert(), new_order)
    url = f"{certcentral_sim.base_url}certificate/{order.plugin_meta['certificate_id']}/revoke"
    headers = {"X-DC-DEVKEY": certcentral_sim.api_key}

    def put(body, **extra):
        reply = httpx.put(url, json=body, headers={**headers, **extra}, timeout=5)
        if reply.status_code < 400:
            return reply.status_code, reply.json()["type"]
        return reply.status_code, reply.json()["errors"][0]["code"]

    assert put({"comments": "x"}, **{"X-DC-DEVKEY": "wrong"})[0] == 401
    assert put({}) == (400, "missing_param|comments")
    assert put(["comments"]) == (400, "missing_param|comments")
    assert put({"comments": "x", "reason": "keyCompromise"}) == (400, "invalid_param|reason")
    assert put({"comments": "x", "skip_approval": "yes"}) == (400, "invalid_param|skip_approval")
    missing = url.replace(f"/{order.plugin_meta['certificate_id']}/", "/999999/")
    reply = httpx.put(missing, json={"comments": "x"}, headers=headers, timeout=5)
    assert (reply.status_code, reply.json()["errors"][0]["code"]) == (404, "not_found|certificate")
    assert certcentral_sim.revocations.requests == {}
    assert put({"comments": "x", "skip_approval": True}) == (201, "revoke")
    assert put({"comments": "x"}) == (400, "invalid_certificate_status")
