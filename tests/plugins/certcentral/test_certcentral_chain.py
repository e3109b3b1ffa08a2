"""Splitting CertCentral chains into the leaf and the intermediates."""

from __future__ import annotations

import pytest
from cryptography import x509
from x509_helpers import make_csr, make_key

from certorder.plugins.certcentral.chain import split_chain
from simulators.certcentral.ca import SimulatorCA, pem


def _setup():
    ca = SimulatorCA()
    csr = x509.load_pem_x509_csr(make_csr(make_key("p256"), ["a.example.test"]).encode())
    leaf = ca.issue(csr, "a.example.test", [], 90)
    return ca, csr, leaf


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (1, 2, 0), (0, 1)])
def test_leaf_is_found_by_key_whatever_the_order(order):
    ca, csr, leaf = _setup()
    certs = [leaf, ca.intermediate, ca.root]
    leaf_pem, intermediates = split_chain(["".join(pem(certs[i]) for i in order)], csr)
    assert leaf_pem == pem(leaf)
    assert intermediates == pem(ca.intermediate)


def test_chain_without_the_csr_key_is_refused():
    ca, _, leaf = _setup()
    other = x509.load_pem_x509_csr(make_csr(make_key("p256"), ["b.example.test"]).encode())
    with pytest.raises(ValueError, match="public key"):
        split_chain([pem(leaf), pem(ca.intermediate)], other)
