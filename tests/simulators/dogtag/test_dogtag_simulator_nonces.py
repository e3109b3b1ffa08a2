"""The simulator's agent nonces follow Dogtag's ``getNonces``/``validateNonce``."""

from __future__ import annotations

from simulators.dogtag import shapes
from simulators.dogtag.nonces import SessionNonces


def _missing(key: int) -> tuple[int, str, str]:
    return 400, shapes.BAD_REQUEST, f"Nonce for cert-request {key} does not exist"


def test_a_nonce_is_per_session_and_id_and_serves_once():
    nonces = SessionNonces("cert-request")
    first = nonces.issue("A", 7)
    assert nonces.consume("B", 7, first) == _missing(7)
    assert nonces.consume("A", 8, first) == _missing(8)
    assert nonces.consume("A", 7, None) == (400, shapes.BAD_REQUEST, "Missing nonce.")
    # A wrong nonce is refused without using up the right one.
    wrong = first + 1
    assert nonces.consume("A", 7, wrong) == (403, shapes.FORBIDDEN, f"Invalid nonce: {wrong}")
    assert nonces.consume("A", 7, f" {first} ") is None
    assert nonces.consume("A", 7, first) == _missing(7)


def test_a_second_review_replaces_the_nonce_and_a_session_keeps_the_newest_hundred():
    nonces = SessionNonces("cert-request")
    old = nonces.issue("A", 1)
    nonces.issue("A", 1)
    assert nonces.consume("A", 1, old)[0] == 403
    kept = {key: nonces.issue("A", key) for key in range(1, 102)}
    assert nonces.consume("A", 1, kept[1]) == _missing(1)  # the eldest of 101 is dropped
    assert nonces.consume("A", 2, kept[2]) is None
    assert nonces.consume("A", 101, kept[101]) is None
