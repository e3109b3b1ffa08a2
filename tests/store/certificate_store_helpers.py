"""Shared by the CertificateStore tests: certificates to store, and the rows they leave."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from certorder.store import CertificateContainer, CertificateStore
from certorder.store.schema import certificate_containers, certificate_secrets


def pem_certificate(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(Encoding.PEM).decode()


LEAF = pem_certificate("leaf.example.test")
CHAIN = pem_certificate("Issuing CA") + pem_certificate("Policy CA")


def store_for_order(store: CertificateStore, order_id: str, **overrides) -> CertificateContainer:
    """store_certificate with defaults: local-ca, no ca_id, LEAF, no intermediates."""
    arguments = {
        "plugin_name": "local-ca",
        "ca_id": None,
        "certificate": LEAF,
        "intermediates": None,
    } | overrides
    return store.store_certificate(order_id=order_id, **arguments)


def rows_for_order(store: CertificateStore, order_id: str) -> tuple[int, list[str]]:
    """(containers of the order, names of their secrets), read straight from the tables."""
    with store.engine.connect() as connection:
        containers = connection.execute(
            select(func.count())
            .select_from(certificate_containers)
            .where(certificate_containers.c.order_id == order_id)
        ).scalar_one()
        names = connection.execute(
            select(certificate_secrets.c.name)
            .join(certificate_containers)
            .where(certificate_containers.c.order_id == order_id)
        ).scalars()
        return containers, sorted(names)
