"""The fleet gauges' sources: certificates expiring soon (from the store), renewals due
or overdue (from the managed certificates' state)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from x509_helpers import make_key

from certorder.metrics.expiry import ExpiryScanner
from certorder.metrics.fleet import _renewal_due
from certorder.workflows.managed_models import (
    CertificateSpec,
    ManagedCertificate,
    ManagedStatus,
)

NOW = datetime.now(UTC)


def _certificate(days_left: float) -> str:
    key = make_key("p256")
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "gauge.example.test")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(NOW - timedelta(days=400))
            .not_valid_after(NOW + timedelta(days=days_left)).sign(key, hashes.SHA256()))
    return cert.public_bytes(Encoding.PEM).decode()


def _keep(store, order_id: str, days_left: float) -> None:
    store.store_certificate(order_id=order_id, plugin_name="local-ca", ca_id=None,
                            certificate=_certificate(days_left), intermediates=None)


def test_expiring_counts_unrevoked_certificates_within_the_window(store, order_id):
    scanner = ExpiryScanner(store.engine, limit=10_000)
    before = scanner.count_expiring(NOW, timedelta(days=30))
    for suffix, days_left in (("soon", 5), ("later", 90), ("expired", -1), ("revoked", 5)):
        _keep(store, f"{order_id}-{suffix}", days_left)
    store.revocations.record(order_id=f"{order_id}-revoked", reason="keyCompromise",
                             revoked_at=NOW, plugin_name="local-ca", serial=None)
    assert scanner.count_expiring(NOW, timedelta(days=30)) == before + 1
    # The same scanner again (certificates parsed before are remembered), a wider window.
    assert scanner.count_expiring(NOW, timedelta(days=100)) >= before + 2


def test_expiring_looks_at_the_newest_certificates_only(store, order_id):
    for number in range(3):
        _keep(store, f"{order_id}-{number}", 5)
    assert ExpiryScanner(store.engine, limit=2).count_expiring(NOW, timedelta(days=30)) == 2


def _managed(status: ManagedStatus, renewal_in: timedelta | None) -> ManagedCertificate:
    return ManagedCertificate(name="web", spec=CertificateSpec(dns_names=["web.example.test"]),
                              status=status,
                              next_renewal_at=NOW + renewal_in if renewal_in else None)


def test_a_renewal_is_due_once_its_time_has_come_and_overdue_once_it_fails():
    hour = timedelta(hours=1)
    assert not _renewal_due(_managed(ManagedStatus.ACTIVE, hour), NOW)
    assert _renewal_due(_managed(ManagedStatus.ACTIVE, -hour), NOW)
    assert _renewal_due(_managed(ManagedStatus.RENEWING, None), NOW)
    assert _renewal_due(_managed(ManagedStatus.RENEWAL_FAILING, -hour), NOW)
    assert not _renewal_due(_managed(ManagedStatus.ISSUING, None), NOW)
