"""Seeded byte mutations of CSRs, for the tests that prove every malformed CSR is
refused as a bad order (one line), whatever part of it is broken."""

from __future__ import annotations

import base64
import random

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from x509_helpers import make_csr, make_key


def der_of(pem: str) -> bytes:
    return x509.load_pem_x509_csr(pem.encode()).public_bytes(Encoding.DER)


def mutate(rng: random.Random, data: bytes) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        at = rng.randrange(len(buf)) if buf else 0
        if kind == 0 and buf:
            buf[at] = rng.randrange(256)
        elif kind == 1 and buf:
            buf[at] ^= 1 << rng.randrange(8)
        elif kind == 2:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 3)))
        elif kind == 3 and buf:
            del buf[at:at + rng.randint(1, 3)]
        else:
            buf = buf[:at]
    return bytes(buf)


def as_pem(der: bytes) -> str:
    body = base64.encodebytes(der).decode()
    return f"-----BEGIN CERTIFICATE REQUEST-----\n{body}-----END CERTIFICATE REQUEST-----\n"


def read_everything(csr: x509.CertificateSigningRequest) -> None:
    # What the core and the plugins read from an accepted CSR.
    csr.subject.rfc4514_string()
    for extension in csr.extensions:
        _ = extension.value
    csr.public_key()
    csr.signature_hash_algorithm  # noqa: B018 - reading it is the test


def lazily_broken_csrs(count: int) -> list[bytes]:
    """Mutants that cryptography loads but then fails to read (the CLI used to say
    "unexpected ValueError" for them)."""
    der = der_of(make_csr(make_key("p256"), ["www.example.test"]))
    rng = random.Random("csr-fuzz-lazy")
    found: list[bytes] = []
    while len(found) < count:
        mutant = mutate(rng, der)
        try:
            csr = x509.load_der_x509_csr(mutant)
        except ValueError:
            continue
        try:
            read_everything(csr)
            _ = csr.is_signature_valid
        except Exception:  # noqa: BLE001 - exactly the ones wanted
            found.append(mutant)
    return found
