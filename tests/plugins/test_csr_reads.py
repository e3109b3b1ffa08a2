"""One order's CSR is read by the core, the plugin and the store's check, often in one
worker: it is parsed and its signature verified once, and a bad one is refused every
time it is read (nothing about a refused CSR is kept)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from x509_helpers import make_csr, make_key

from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.errors import InvalidOrderError


def test_the_same_csr_is_parsed_once_whether_given_as_text_or_bytes():
    csr = make_csr(make_key("p256"), ["reads.example.test"])
    assert load_csr(csr) is load_csr(csr.encode())


def test_another_csr_is_parsed_on_its_own():
    first = make_csr(make_key("p256"), ["a.example.test"])
    second = make_csr(make_key("p256"), ["b.example.test"])
    assert load_csr(first) is not load_csr(second)
    assert load_csr(first).subject != load_csr(second).subject


def test_a_csr_with_a_broken_signature_is_refused_every_time():
    csr = make_csr(make_key("p256"), ["tampered.example.test"])
    der = bytearray(load_csr(csr).public_bytes(Encoding.DER))
    der[-3] ^= 0x01  # inside the signature
    for _ in range(2):
        with pytest.raises(InvalidOrderError, match="signature|malformed"):
            load_csr(bytes(der))

