"""The Dogtag plugin against the simulator over HTTPS: issuing, waiting, outages, retries."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus as S
from simulators.dogtag.crypto import SigningCA, pem

CORE = CoreMetaDTO()
#: What the core passes to a call retried after its worker died.
RETRIED = CoreMetaDTO(interrupted_since=datetime.now(UTC))


def _order(profile: str | None = None, key=None) -> dict:
    meta = {"request_type": "simple-cmc", "request_data": make_csr(key or make_key())}
    if profile:
        meta["profile"] = profile
    return meta


def _spki(key_or_cert) -> bytes:
    public = key_or_cert.public_key()
    return public.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def test_auto_approved_profile_is_issued_in_the_first_call(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    key, plugin_meta = make_key(), {}
    result = plugin.issue_certificate_request("o-1", _order(key=key), plugin_meta, CORE)
    assert result.status is S.CERTIFICATE_GENERATED, result.status_message
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    assert _spki(leaf) == _spki(key)
    intermediates = x509.load_pem_x509_certificates(result.intermediates.encode())
    assert [c.subject.rfc4514_string() for c in intermediates] == [
        "CN=CA Signing Certificate,O=EXAMPLE"
    ]
    chain = verify_server_chain(
        result.certificate, result.intermediates, dogtag_sim.root_pem, "www.example.test"
    )
    assert len(chain) == 3
    assert dogtag_sim.enrollment_count == 1
    assert set(plugin_meta) == {"request_id", "profile", "serial"}
    assert plugin_meta["serial"] == hex(leaf.serial_number)
    assert (
        "POST",
        f"/ca/rest/agent/certrequests/{int(plugin_meta['request_id'], 16)}/approve",
    ) in dogtag_sim.calls


def test_auto_approval_is_exact_membership_not_a_substring(make_dogtag, dogtag_sim):
    # Barbican tested "profile in 'caServerCert'": "caServer" would have been approved.
    dogtag_sim.engine.profiles["caServer"] = dogtag_sim.engine.profiles["caOtherCert"]
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    result = plugin.issue_certificate_request("o-2", _order("caServer"), {}, CORE)
    assert result.status is S.WAITING_FOR_CA
    assert dogtag_sim.engine.requests[7].status == "pending"


def test_profile_that_issues_at_submission(make_dogtag, dogtag_sim):
    dogtag_sim.set_auto_issue("caOtherCert")
    plugin = make_dogtag()
    result = plugin.issue_certificate_request("o-3", _order("caOtherCert"), {}, CORE)
    assert result.status is S.CERTIFICATE_GENERATED
    # Agent calls only for the search for a placed request; nothing was approved.
    assert not [path for method, path in dogtag_sim.calls if path.endswith("/approve")]
    assert dogtag_sim.enrollment_count == 1


def test_pending_request_is_issued_after_the_agent_approves(make_dogtag, dogtag_sim):
    dogtag_sim.decide_after_polls(2, "approve")
    plugin = make_dogtag(retry_msec=120_000)
    plugin_meta: dict = {}
    first = plugin.issue_certificate_request("o-4", _order(), plugin_meta, CORE)
    assert first.status is S.WAITING_FOR_CA
    assert first.retry_msec == 120_000
    assert "waiting for a Dogtag agent" in first.status_message
    seen = [plugin.check_certificate_status("o-4", {}, plugin_meta, CORE).status for _ in range(3)]
    assert seen == [S.WAITING_FOR_CA, S.WAITING_FOR_CA, S.CERTIFICATE_GENERATED]
    assert dogtag_sim.enrollment_count == 1


def test_rejection_by_an_agent_carries_the_agents_notes(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    plugin_meta: dict = {}
    plugin.issue_certificate_request("o-5", _order(), plugin_meta, CORE)
    dogtag_sim.agent_decides(plugin_meta["request_id"], "reject", notes="CN not in our domain")
    result = plugin.check_certificate_status("o-5", {}, plugin_meta, CORE)
    assert result.status is S.INVALID_OPERATION
    assert "CN not in our domain" in result.status_message


def test_rejection_at_submission_carries_dogtags_error_message(make_dogtag, dogtag_sim):
    dogtag_sim.reject_submissions("Key Too Short")
    result = make_dogtag().issue_certificate_request("o-6", _order(), {}, CORE)
    assert result.status is S.INVALID_OPERATION
    assert "Rejected - Key Too Short" in result.status_message


def test_request_canceled_at_dogtag_ends_as_canceled(make_dogtag, dogtag_sim):
    dogtag_sim.decide_after_polls(0, "cancel")
    plugin = make_dogtag()
    plugin_meta: dict = {}
    plugin.issue_certificate_request("o-7", _order(), plugin_meta, CORE)
    result = plugin.check_certificate_status("o-7", {}, plugin_meta, CORE)
    assert result.status is S.REQUEST_CANCELED


def test_503_then_recovery(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"], unavailable_retry_msec=4_000)
    order, plugin_meta = _order(), {}
    dogtag_sim.fail_next(2)
    for _ in range(2):
        result = plugin.issue_certificate_request("o-8", order, plugin_meta, CORE)
        assert result.status is S.CA_UNAVAILABLE_FOR_REQUEST
        assert result.retry_msec == 4_000
        assert "503" in result.status_message
    result = plugin.issue_certificate_request("o-8", order, plugin_meta, CORE)
    assert result.status is S.CERTIFICATE_GENERATED
    assert dogtag_sim.enrollment_count == 1


def test_refused_connections_then_recovery(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    order, plugin_meta = _order(), {}
    assert (
        plugin.issue_certificate_request("o-9", order, {}, CORE).status is S.CERTIFICATE_GENERATED
    )
    dogtag_sim.go_offline()
    result = plugin.issue_certificate_request("o-10", order, plugin_meta, CORE)
    assert result.status is S.CA_UNAVAILABLE_FOR_REQUEST
    assert "cannot reach Dogtag" in result.status_message
    dogtag_sim.go_online()
    result = plugin.issue_certificate_request("o-10", order, plugin_meta, CORE)
    assert result.status is S.CERTIFICATE_GENERATED
    assert dogtag_sim.enrollment_count == 2


def test_retried_issue_with_a_recorded_request_places_no_second_request(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    order, plugin_meta = _order(), {}
    assert plugin.issue_certificate_request("o-11", order, plugin_meta, CORE).status is (
        S.WAITING_FOR_CA
    )
    recorded = dict(plugin_meta)
    again = plugin.issue_certificate_request("o-11", order, plugin_meta, CORE)
    assert again.status is S.WAITING_FOR_CA
    assert plugin_meta == recorded
    assert dogtag_sim.enrollment_count == 1
    assert [c for c in dogtag_sim.calls if c == ("POST", "/ca/rest/certrequests")] == [
        ("POST", "/ca/rest/certrequests")
    ]


def test_a_request_placed_before_a_crash_is_found_again(make_dogtag, dogtag_sim):
    # The worker died after Dogtag created the request but before plugin_meta was
    # saved: the retry starts from an empty plugin_meta and must find that request.
    plugin = make_dogtag()
    order = _order()
    lost: dict = {}
    plugin.issue_certificate_request("o-12", order, lost, CORE)
    plugin.issue_certificate_request("o-other", _order(), {}, CORE)
    retried: dict = {}
    result = plugin.issue_certificate_request("o-12", order, retried, RETRIED)
    assert result.status is S.WAITING_FOR_CA
    assert retried["request_id"] == lost["request_id"]
    assert dogtag_sim.enrollment_count == 2


def test_unknown_profile_is_an_invalid_operation_with_dogtags_message(make_dogtag, dogtag_sim):
    result = make_dogtag().issue_certificate_request("o-13", _order("caNoSuchCert"), {}, CORE)
    assert result.status is S.INVALID_OPERATION
    assert "Profile not found" in result.status_message
    assert dogtag_sim.enrollment_count == 0


def test_untrusted_server_certificate_is_not_talked_to(make_dogtag, dogtag_sim, tmp_path):
    other = tmp_path / "other-root.pem"
    other.write_text(pem(SigningCA.self_signed("CN=Someone Else,O=ELSEWHERE").cert))
    plugin = make_dogtag(ca_bundle_file=str(other))
    result = plugin.issue_certificate_request("o-14", _order(), {}, CORE)
    assert result.status is S.CA_UNAVAILABLE_FOR_REQUEST
    assert dogtag_sim.enrollment_count == 0


def test_timeout_is_an_outage(make_dogtag, dogtag_sim):
    plugin = make_dogtag(timeout_seconds=0.2)
    plugin_meta: dict = {}
    assert plugin.issue_certificate_request("o-15", _order(), plugin_meta, CORE).status is (
        S.WAITING_FOR_CA
    )
    path = f"/ca/rest/certrequests/{int(plugin_meta['request_id'], 16)}"
    dogtag_sim.delay_answers("GET", path, 0.5)
    result = plugin.check_certificate_status("o-15", {}, plugin_meta, CORE)
    assert result.status is S.CA_UNAVAILABLE_FOR_REQUEST
    assert "timed out" in result.status_message


def test_auto_approval_yields_to_an_agent_who_acted_first(make_dogtag, dogtag_sim):
    plugin_meta: dict = {}
    make_dogtag().issue_certificate_request("o-16", _order(), plugin_meta, CORE)
    dogtag_sim.agent_decides(plugin_meta["request_id"], "reject", notes="duplicate of ticket 42")
    # The retried call finds the request pending in its first read but an agent rejects
    # it before the approval: simulated by a plugin that believes it is still pending.
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    info = {"requestID": plugin_meta["request_id"], "requestStatus": "pending"}
    result = plugin._advance(info, dict(plugin_meta))
    assert result.status is S.INVALID_OPERATION
    assert "duplicate of ticket 42" in result.status_message
