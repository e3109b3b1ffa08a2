"""One CA of the local hierarchy, and the small rules about CA names, ids and roots."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.x509.oid import NameOID

from certorder.plugins.interface.errors import CAOperationError, PluginConfigurationError
from certorder.plugins.local_ca.issuer import is_ca_certificate, is_self_signed
from certorder.plugins.local_ca.keys import CAPrivateKey, load_private_key

#: The id of the root CA; sub-CAs get :func:`new_ca_id` ids.
ROOT_ID = "root"
#: What a CA id may look like (also keeps ids from naming paths outside ``cas/``).
CA_ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


@dataclass(frozen=True)
class CAMeta:
    """What is recorded about a CA beside its certificate."""

    ca_id: str
    name: str
    description: str = ""
    parent_ca_id: str | None = None

    @classmethod
    def from_dict(cls, raw: object) -> CAMeta:
        """Parse a CA description; raises ``ValueError`` if it is not one."""
        if not isinstance(raw, dict) or not isinstance(raw.get("ca_id"), str):
            raise ValueError("not a CA description")
        return cls(
            ca_id=raw["ca_id"],
            name=str(raw.get("name") or raw["ca_id"]),
            description=str(raw.get("description") or ""),
            parent_ca_id=raw.get("parent_ca_id"),
        )

    @classmethod
    def from_json(cls, data: bytes) -> CAMeta:
        """Parse ``meta.json`` of the old data_dir layout."""
        return cls.from_dict(json.loads(data))


@dataclass(frozen=True)
class LocalCA:
    """One CA of the hierarchy.

    :param chain: this CA's certificate and those above it, up to but not including a
        self-signed root (empty for the generated root).
    """

    meta: CAMeta
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...] = field(default=())

    @property
    def ca_id(self) -> str:
        """The plugin's id of this CA."""
        return self.meta.ca_id


def pem_bundle(certs: tuple[x509.Certificate, ...] | list[x509.Certificate]) -> str | None:
    """Certificates as concatenated PEM text, or ``None`` when there are none."""
    if not certs:
        return None
    return "".join(cert.public_bytes(Encoding.PEM).decode() for cert in certs)


def new_ca_id(name: str) -> str:
    """A readable, unique sub-CA id: a slug of ``name`` and 8 random hex digits."""
    slug = "-".join(re.findall(r"[a-z0-9]+", name.lower()))[:40].strip("-") or "ca"
    return f"{slug}-{secrets.token_hex(4)}"


def key_matches(key: CAPrivateKey, cert: x509.Certificate) -> bool:
    """Whether ``key`` is the private half of ``cert``'s public key."""
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return key.public_key().public_bytes(*spki) == cert.public_key().public_bytes(*spki)


def sub_ca_subject(name: str, subject_dn: str | None) -> x509.Name:
    """``subject_dn`` parsed as RFC 4514, or ``CN=<name>`` when none is given.

    :raises CAOperationError: ``subject_dn`` is not a usable name.
    """
    if not subject_dn:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    try:
        subject = x509.Name.from_rfc4514_string(subject_dn)
    except ValueError as exc:
        raise CAOperationError(
            f"subject_dn {subject_dn!r} is not an RFC 4514 name: {exc}"
        ) from None
    if not list(subject):
        raise CAOperationError("subject_dn is empty")
    return subject


def load_configured_root(
    cert_file: Path, key_file: Path, passphrase: str | None
) -> tuple[LocalCA, CAPrivateKey]:
    """The root CA from ``root_cert_file``/``root_key_file``, with its decrypted key.

    :raises PluginConfigurationError: unreadable files, not a CA, wrong passphrase, or a
        key that does not belong to the certificate.
    """
    try:
        cert = x509.load_pem_x509_certificate(Path(cert_file).read_bytes())
    except (OSError, ValueError) as exc:
        raise PluginConfigurationError(
            f"root_cert_file {cert_file} is not a readable PEM certificate: {exc}"
        ) from None
    if not is_ca_certificate(cert):
        raise PluginConfigurationError(f"root_cert_file {cert_file} is not a CA certificate")
    key = load_private_key(Path(key_file), passphrase)
    if not key_matches(key, cert):
        raise PluginConfigurationError(
            f"root_key_file {key_file} does not match root_cert_file {cert_file}"
        )
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    name = str(names[0].value) if names else cert.subject.rfc4514_string()
    meta = CAMeta(ca_id=ROOT_ID, name=name, description=f"Local CA from {cert_file}")
    # A configured CA signed by an outside root is itself an intermediate for clients.
    chain = () if is_self_signed(cert) else (cert,)
    return LocalCA(meta=meta, cert=cert, chain=chain), key
