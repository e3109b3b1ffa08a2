"""A call retried after a crash (an empty plugin_meta, ``interrupted_since`` set) finds
the request its lost first attempt placed, whatever became of it meanwhile (issued,
approved, rejected), and never enrolls a second time; the search stays within
``recovery_scan_limit``."""

from __future__ import annotations

from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.dogtag.enrollment import order_tag
from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus as S

CORE = CoreMetaDTO()
#: What the core passes to a call retried after its worker died.
RETRIED = CoreMetaDTO(interrupted_since=datetime.now(UTC))
ENROLL = ("POST", "/ca/rest/certrequests")
NAME = "www.example.test"


def _order(key, profile: str | None = None) -> dict:
    meta = {"request_type": "simple-cmc", "request_data": make_csr(key, [NAME])}
    if profile:
        meta["profile"] = profile
    return meta


def _spki(key_or_cert) -> bytes:
    return key_or_cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def _lose_the_answer(plugin, sim, path: str, order_id: str, order: dict, method="POST"):
    """The first call: Dogtag acts on ``method path`` but its answer comes too late."""
    sim.delay_answers(method, path, 0.6)
    lost = plugin.issue_certificate_request(order_id, order, {}, CORE)
    assert lost.status is S.CA_UNAVAILABLE_FOR_REQUEST
    assert "timed out" in lost.status_message
    sim.delay_answers(method, path, 0)


def _issued_once(result, sim, key, plugin_meta) -> None:
    assert result.status is S.CERTIFICATE_GENERATED, result.status_message
    assert sim.enrollment_count == 1
    assert sim.calls.count(ENROLL) == 1
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    assert _spki(leaf) == _spki(key)
    assert plugin_meta["serial"] == hex(leaf.serial_number)
    verify_server_chain(result.certificate, result.intermediates, sim.root_pem, NAME)


def _other_orders(sim, count: int, status: str = "pending") -> None:
    """Requests of other orders, placed straight into the simulated CA."""
    csr = make_csr(make_key(), ["other.example.test"])
    values = {"cert_request_type": "pkcs10", "cert_request": csr, "requestor_name": "x"}
    for n in range(count):
        record = sim.engine.enroll("caServerCert", {**values, "requestor_name": f"o{n}"}, None)
        record.status = status


def test_profile_issuing_at_submission_answer_lost(make_dogtag, dogtag_sim):
    dogtag_sim.set_auto_issue("caServerCert")
    plugin = make_dogtag(timeout_seconds=0.3)
    key = make_key()
    _other_orders(dogtag_sim, 3, "complete")
    _lose_the_answer(plugin, dogtag_sim, "/ca/rest/certrequests", "o-1", _order(key))
    [ours] = [
        r
        for r in dogtag_sim.engine.requests.values()
        if r.values["requestor_name"] == order_tag("certorder", "o-1")
    ]
    assert ours.status == "complete"
    _other_orders(dogtag_sim, 2, "complete")
    retried: dict = {}
    result = plugin.issue_certificate_request("o-1", _order(key), retried, RETRIED)
    assert result.status is S.CERTIFICATE_GENERATED, result.status_message
    assert dogtag_sim.calls.count(ENROLL) == 1
    assert retried["request_id"] == ours.hex_id
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    assert _spki(leaf) == _spki(key)
    verify_server_chain(result.certificate, result.intermediates, dogtag_sim.root_pem, NAME)


def test_plugin_approval_went_through_but_its_answer_was_lost(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"], timeout_seconds=0.3)
    key = make_key()
    # Request numbers start at 7; our request will be 7, its approval is what times out.
    _lose_the_answer(
        plugin, dogtag_sim, "/ca/rest/agent/certrequests/7/approve", "o-2", _order(key)
    )
    assert dogtag_sim.request_status("7") == "complete"
    retried: dict = {}
    result = plugin.issue_certificate_request("o-2", _order(key), retried, RETRIED)
    _issued_once(result, dogtag_sim, key, retried)
    assert [path for _, path in dogtag_sim.calls if path.endswith("/approve")] == [
        "/ca/rest/agent/certrequests/7/approve"
    ]


def test_request_an_agent_approved_before_the_retry(make_dogtag, dogtag_sim):
    plugin = make_dogtag(timeout_seconds=0.3)
    key = make_key()
    _lose_the_answer(plugin, dogtag_sim, "/ca/rest/certrequests", "o-3", _order(key))
    dogtag_sim.agent_decides("7", "approve")
    retried: dict = {}
    result = plugin.issue_certificate_request("o-3", _order(key), retried, RETRIED)
    _issued_once(result, dogtag_sim, key, retried)


def test_request_an_agent_rejected_before_the_retry(make_dogtag, dogtag_sim):
    plugin = make_dogtag(timeout_seconds=0.3)
    _lose_the_answer(plugin, dogtag_sim, "/ca/rest/certrequests", "o-4", _order(make_key()))
    dogtag_sim.agent_decides("7", "reject", notes="not our host")
    result = plugin.issue_certificate_request("o-4", _order(make_key()), {}, RETRIED)
    assert result.status is S.INVALID_OPERATION
    assert "not our host" in result.status_message
    assert dogtag_sim.enrollment_count == 1


def test_a_canceled_request_of_the_order_is_not_adopted(make_dogtag, dogtag_sim):
    # What a modify leaves behind: the order's old request, canceled by the plugin.
    plugin = make_dogtag()
    plugin_meta: dict = {}
    plugin.issue_certificate_request("o-5", _order(make_key()), plugin_meta, CORE)
    dogtag_sim.agent_decides(plugin_meta["request_id"], "cancel")
    retried: dict = {}
    result = plugin.issue_certificate_request("o-5", _order(make_key()), retried, RETRIED)
    assert result.status is S.WAITING_FOR_CA
    assert retried["request_id"] != plugin_meta["request_id"]
    assert dogtag_sim.enrollment_count == 2


def test_found_among_many_requests_from_a_cold_start(make_dogtag, dogtag_sim):
    dogtag_sim.set_auto_issue("caServerCert")
    key = make_key()
    _other_orders(dogtag_sim, 700, "complete")
    placed = make_dogtag(timeout_seconds=0.3)
    _lose_the_answer(placed, dogtag_sim, "/ca/rest/certrequests", "o-6", _order(key))
    _other_orders(dogtag_sim, 40, "rejected")
    fresh = make_dogtag(recovery_scan_limit=50)  # a new worker: no memory of numbers
    before = len(dogtag_sim.calls)
    result = fresh.issue_certificate_request("o-6", _order(key), {}, RETRIED)
    assert result.status is S.CERTIFICATE_GENERATED, result.status_message
    assert dogtag_sim.calls.count(ENROLL) == 1
    calls = dogtag_sim.calls[before:]
    listings = calls.count(("GET", "/ca/rest/agent/certrequests"))
    assert listings <= 15  # pending, probes, one window: not a walk through 750 requests
    reviews = [path for method, path in calls if path.startswith("/ca/rest/agent/certrequests/")]
    assert len(reviews) == 41  # newest first: 40 rejected ones, then ours


def test_a_request_older_than_the_scan_limit_is_not_found(make_dogtag, dogtag_sim):
    dogtag_sim.set_auto_issue("caServerCert")
    plugin = make_dogtag(timeout_seconds=0.3, recovery_scan_limit=5)
    _lose_the_answer(plugin, dogtag_sim, "/ca/rest/certrequests", "o-7", _order(make_key()))
    _other_orders(dogtag_sim, 5, "complete")
    result = plugin.issue_certificate_request("o-7", _order(make_key()), {}, RETRIED)
    assert result.status is S.CERTIFICATE_GENERATED
    assert dogtag_sim.calls.count(ENROLL) == 2  # the documented limit


def test_no_search_when_the_limit_is_zero(make_dogtag, dogtag_sim):
    plugin = make_dogtag(recovery_scan_limit=0)
    plugin.issue_certificate_request("o-8", _order(make_key()), {}, CORE)
    assert dogtag_sim.agent_calls == 0


def test_cancel_without_a_recorded_request_finds_the_issued_one(make_dogtag, dogtag_sim):
    dogtag_sim.set_auto_issue("caServerCert")
    plugin = make_dogtag(timeout_seconds=0.3)
    _lose_the_answer(plugin, dogtag_sim, "/ca/rest/certrequests", "o-9", _order(make_key()))
    plugin_meta: dict = {}
    result = plugin.cancel_certificate_request("o-9", {}, plugin_meta, RETRIED)
    assert result.status is S.INVALID_OPERATION
    assert "(complete)" in result.status_message
    assert plugin_meta["request_id"] == "0x7"
