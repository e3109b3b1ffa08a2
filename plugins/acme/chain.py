"""The certificate chain an ACME CA returns, split into what the core stores.

RFC 8555 §7.4.2: the certificate URL serves ``application/pem-certificate-chain``,
leaf first. Kept apart from the order's steps, which only download it.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

__all__ = ["split_chain"]


def split_chain(fullchain: str) -> tuple[str, str | None]:
    """(leaf PEM, intermediates PEM or ``None``) from an ``application/pem-certificate-chain``.

    The first certificate is the leaf (RFC 8555 §9.1); a self-signed certificate at the
    end is a root, which does not belong in ``intermediates``.
    """
    certs = x509.load_pem_x509_certificates(fullchain.encode())
    leaf, rest = certs[0], certs[1:]
    if rest and rest[-1].subject == rest[-1].issuer:
        rest = rest[:-1]
    pems = [cert.public_bytes(Encoding.PEM).decode() for cert in rest]
    return leaf.public_bytes(Encoding.PEM).decode(), "".join(pems) or None
