"""Concurrent agent calls of one plugin: each review's nonce is posted back on the
review's own Dogtag session, whatever session cookies other calls get meanwhile."""

from __future__ import annotations

import threading
import time

from x509_helpers import make_csr, make_key

from certorder.plugins.interface.status import CertificateStatus as S

HELD = 0.5  # seconds every status read and review is answered late


def _pending(sim, name: str):
    values = {"cert_request_type": "pkcs10", "cert_request": make_csr(make_key(), [name]),
              "requestor_name": name}
    return sim.engine.enroll("caServerCert", values, None)


def test_two_approvals_whose_first_answers_cross_each_use_their_own_session(
        dogtag_sim, make_dogtag):
    # Two calls start at once on a fresh plugin: both first requests go out without a
    # cookie and Dogtag opens a session for each. With one cookie jar for the pool, the
    # later Set-Cookie replaced the earlier one between the first call's review and its
    # approval, which then carried the second call's session: "Invalid nonce".
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    records = [_pending(dogtag_sim, f"host{i}.sessions.example.test") for i in range(2)]
    dogtag_sim.delay_answers("GET", "/ca/rest/*certrequests/*", HELD)
    results: dict[int, object] = {}

    def check(index: int) -> None:
        meta = {"request_id": records[index].hex_id, "profile": "caServerCert"}
        results[index] = plugin.check_certificate_status(f"o{index}", {}, meta, None)

    first = threading.Thread(target=check, args=(0,))
    second = threading.Thread(target=check, args=(1,))
    try:
        before = len(dogtag_sim.calls)
        first.start()
        deadline = time.monotonic() + 5
        while len(dogtag_sim.calls) == before:  # the first call's read is being held
            assert time.monotonic() < deadline, "the first call never reached Dogtag"
            time.sleep(0.005)
        second.start()
        first.join(10)
        second.join(10)
    finally:
        dogtag_sim.delay_answers("GET", "", 0)
    assert not first.is_alive() and not second.is_alive()
    outcome = [(results[i].status, results[i].status_message) for i in (0, 1)]
    assert [status for status, _ in outcome] == [S.CERTIFICATE_GENERATED] * 2, outcome
    assert [r.status for r in records] == ["complete", "complete"]
