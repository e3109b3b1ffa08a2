"""Where the local CA keeps its hierarchy in the shared state (``PluginContext.shared``).

Every worker's instance reads and writes the same records, so they all issue from
one root and see each other's sub-CAs and revocations::

    ca/<ca_id>                  {"ca_id", "name", "description", "parent_ca_id",
                                 "certificate": PEM}; its secret is the CA key
                                 (PKCS#8 PEM, passphrase-encrypted when one is set)
    revoked/<ca_id>/<serial>    {"reason", "revoked_at"}: one per revoked certificate
    crl/<ca_id>/<number>        {"crl": PEM}: the latest CRL (older ones are removed)
    imported/<root sha256>      {"data_dir", "imported_at"}: an old data_dir's CAs were
                                imported (see ``legacy_import``)
    issued/<sha256(order_id)>/<request digest>
                                the serial, validity and CRL address reserved for an
                                order, which every attempt signs into the same bytes
                                (see ``issued_orders``)

Every record is made with ``create``, so the database decides every race: one root,
one revocation per serial, one CRL per CRL number, one serial per order and request.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from certorder.plugins.local_ca.authority import CAMeta

CA_PREFIX = "ca/"
#: Digits of a CRL number in its key, so that key order is number order.
_CRL_DIGITS = 12


def ca_key(ca_id: str) -> str:
    """The key of CA ``ca_id``'s record (and of its key, the record's secret)."""
    return f"{CA_PREFIX}{ca_id}"


def ca_record(meta: CAMeta, cert: x509.Certificate) -> dict[str, Any]:
    """The record of one CA."""
    return {**meta.__dict__, "certificate": cert.public_bytes(Encoding.PEM).decode()}


def ca_from_record(record: Any) -> tuple[CAMeta, x509.Certificate]:
    """(meta, certificate) of a CA record; ``ValueError`` if it is not one."""
    meta = CAMeta.from_dict(record)
    try:
        cert = x509.load_pem_x509_certificate(str(record["certificate"]).encode())
    except (KeyError, ValueError) as exc:
        raise ValueError(f"the record of CA {meta.ca_id!r} has no usable certificate") from exc
    return meta, cert


def revoked_prefix(ca_id: str) -> str:
    """The prefix of CA ``ca_id``'s revocation records."""
    return f"revoked/{ca_id}/"


def crl_prefix(ca_id: str) -> str:
    """The prefix of CA ``ca_id``'s CRL records."""
    return f"crl/{ca_id}/"


def crl_key(ca_id: str, number: int) -> str:
    """The key of CA ``ca_id``'s CRL number ``number``."""
    return f"{crl_prefix(ca_id)}{number:0{_CRL_DIGITS}d}"


def crl_number(key: str) -> int:
    """The CRL number in a CRL record's key."""
    return int(key.rsplit("/", 1)[1])


def imported_key(root: x509.Certificate) -> str:
    """The key that says an old data_dir with this root has been imported."""
    return f"imported/{root.fingerprint(hashes.SHA256()).hex()}"

