"""Making private keys and building CSRs from them (on a worker, in an activity)."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import NameOID

# DEFAULT_KEY_TYPE is re-exported: the activities take both names from here.
from certorder.keys.key_types import DEFAULT_KEY_TYPE, KeyType  # noqa: F401

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey


def generate(key_type: KeyType) -> PrivateKey:
    if key_type is KeyType.EC_P256:
        return ec.generate_private_key(ec.SECP256R1())
    if key_type is KeyType.EC_P384:
        return ec.generate_private_key(ec.SECP384R1())
    if key_type is KeyType.ED25519:
        return ed25519.Ed25519PrivateKey.generate()
    return rsa.generate_private_key(public_exponent=65537, key_size=int(key_type.split("-")[1]))


def private_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_pem(key: PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_private(pem: bytes) -> PrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, PrivateKey)
    return key


def build_csr(key: PrivateKey, dns_names: Sequence[str], ip_addresses: Sequence[str] = (),
              common_name: str | None = None) -> str:
    """A PEM CSR: CN = ``common_name`` (default: the first name), every name a SAN."""
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns_names]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    if not names:
        raise ValueError("a CSR needs at least one DNS name or IP address")
    cn = common_name or (dns_names[0] if dns_names else ip_addresses[0])
    builder = (x509.CertificateSigningRequestBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
               .add_extension(x509.SubjectAlternativeName(names), critical=False))
    # Ed25519 signs the message itself: no separate hash algorithm.
    algorithm = None if isinstance(key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
    return builder.sign(key, algorithm).public_bytes(serialization.Encoding.PEM).decode()
