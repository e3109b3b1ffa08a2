"""Splitting a CertCentral chain into the leaf and its intermediates.

``pem_all`` downloads and immediate-issuance ``certificate_chain`` lists hold the leaf,
the intermediates and the root. The contract wants the leaf alone and the
intermediates from its issuer up to, not including, the root. The leaf is recognised by
its key (it must match the order's CSR), not by position, so a reordered bundle cannot
swap an intermediate into the leaf's place.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def _spki(key: object) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)  # type: ignore[attr-defined]


def _is_self_signed(cert: x509.Certificate) -> bool:
    return cert.subject == cert.issuer


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode()


def split_chain(pems: Sequence[str], csr: x509.CertificateSigningRequest) -> tuple[str, str | None]:
    """``(leaf_pem, intermediates_pem)`` from any order of certificates.

    :raises ValueError: if no certificate carries the CSR's public key, or the PEM
        does not parse.
    """
    certs: list[x509.Certificate] = []
    for pem in pems:
        certs.extend(x509.load_pem_x509_certificates(pem.encode()))
    wanted = _spki(csr.public_key())
    leaves = [cert for cert in certs if _spki(cert.public_key()) == wanted]
    if not leaves:
        raise ValueError("no certificate in the chain carries the CSR's public key")
    leaf = leaves[0]
    by_subject = {cert.subject: cert for cert in certs if cert is not leaf}
    chain: list[x509.Certificate] = []
    current = leaf
    # Walk issuer links; stop at a root (self-signed) or when the bundle has no issuer.
    while len(chain) < len(certs):
        issuer = by_subject.get(current.issuer)
        if issuer is None or _is_self_signed(issuer) or issuer in chain:
            break
        chain.append(issuer)
        current = issuer
    intermediates = "".join(_pem(cert) for cert in chain) or None
    return _pem(leaf), intermediates
