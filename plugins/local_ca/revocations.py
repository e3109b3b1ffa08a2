"""Revocation in the local CA: the revoked serials of each CA, and its signed CRL.

Both are records in the shared state (``records``): one per revoked serial, made with
``create``, so a repeated revocation of the same serial, through any worker, finds the
first one instead of adding another; and the latest CRL, under its CRL number. A CRL
signed through one worker lists the revocations made through every other.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from certorder.plugins.interface.errors import CAOperationError
from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)
from certorder.plugins.local_ca.authority import LocalCA
from certorder.plugins.local_ca.keys import signature_hash
from certorder.plugins.local_ca.records import crl_key, crl_number, crl_prefix, revoked_prefix
from certorder.plugins.local_ca.store import CAStore

#: How often a CRL is signed again after losing its number to another worker's.
_PUBLISH_ATTEMPTS = 5

_FLAGS = {
    RevocationReason.UNSPECIFIED: x509.ReasonFlags.unspecified,
    RevocationReason.KEY_COMPROMISE: x509.ReasonFlags.key_compromise,
    RevocationReason.CA_COMPROMISE: x509.ReasonFlags.ca_compromise,
    RevocationReason.AFFILIATION_CHANGED: x509.ReasonFlags.affiliation_changed,
    RevocationReason.SUPERSEDED: x509.ReasonFlags.superseded,
    RevocationReason.CESSATION_OF_OPERATION: x509.ReasonFlags.cessation_of_operation,
    RevocationReason.CERTIFICATE_HOLD: x509.ReasonFlags.certificate_hold,
    RevocationReason.PRIVILEGE_WITHDRAWN: x509.ReasonFlags.privilege_withdrawn,
}


class LocalRevocations:
    """Revokes certificates of one local CA hierarchy and signs its CRLs."""

    def __init__(self, store: CAStore, crl_validity_days: int) -> None:
        self._store = store
        self._state = store.state
        self._validity = dt.timedelta(days=crl_validity_days)

    def revoke(self, certificate_pem: str, reason: RevocationReason) -> RevocationResult:
        """Revoke ``certificate_pem`` at the CA that signed it (once)."""
        cert = x509.load_pem_x509_certificate(certificate_pem.encode())
        ca = self._issuer_of(cert)
        if ca is None:
            return RevocationResult(
                status=RevocationStatus.REFUSED,
                status_message=f"no CA of this local CA signed certificate {cert.serial_number:x}")
        serial = format(cert.serial_number, "x")
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        entry = {"reason": reason.value, "revoked_at": now.isoformat()}
        # The database decides: a second revocation of the serial, from any worker,
        # gets the first one's record back.
        stored = self._state.create(f"{revoked_prefix(ca.ca_id)}{serial}", entry)
        if stored != entry:
            return RevocationResult(
                status=RevocationStatus.REVOKED, revoked_at=stored["revoked_at"],
                status_message=f"serial {serial} was already revoked by local CA "
                               f"{ca.ca_id!r} ({stored['reason']})")
        self._publish(ca)
        return RevocationResult(
            status=RevocationStatus.REVOKED, revoked_at=now,
            status_message=f"serial {serial} revoked by local CA {ca.ca_id!r}; CRL updated")

    def crl(self, ca_id: str | None) -> str:
        """A freshly signed CRL of ``ca_id`` (also stored as its latest CRL).

        :raises UnknownCAError: no such CA.
        """
        return self._publish(self._store.get(ca_id))

    def _issuer_of(self, cert: x509.Certificate) -> LocalCA | None:
        for ca in self._store.all():
            if ca.cert.subject != cert.issuer:
                continue
            try:
                cert.verify_directly_issued_by(ca.cert)
            except (InvalidSignature, ValueError, TypeError):
                continue
            return ca
        return None

    def _publish(self, ca: LocalCA) -> str:
        """Sign a CRL of every revocation stored now, under the next CRL number, and
        store it. Two workers signing at once race for the number; the loser signs
        again with the next one (and with whatever the winner had not seen)."""
        for _ in range(_PUBLISH_ATTEMPTS):
            older = self._state.list(crl_prefix(ca.ca_id))
            number = max((crl_number(key) for key in older), default=0) + 1
            revoked = {key.rsplit("/", 1)[1]: entry for key, entry
                       in self._state.list(revoked_prefix(ca.ca_id)).items()}
            pem = self._sign(ca, number, revoked).public_bytes(Encoding.PEM).decode()
            if self._state.create(crl_key(ca.ca_id, number), {"crl": pem})["crl"] == pem:
                for key in older:
                    self._state.delete(key)
                return pem
        raise CAOperationError(f"could not sign a CRL of local CA {ca.ca_id!r}: "
                               f"{_PUBLISH_ATTEMPTS} other CRLs were signed meanwhile")

    def _sign(self, ca: LocalCA, number: int,
              revoked: dict[str, Any]) -> x509.CertificateRevocationList:
        key = self._store.signing_key(ca)
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.cert.subject)
            .last_update(now)
            .next_update(min(now + self._validity, ca.cert.not_valid_after_utc))
            .add_extension(x509.CRLNumber(number), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.cert.public_key()),
                critical=False)
        )
        for serial, entry in sorted(revoked.items()):
            revoked = (
                x509.RevokedCertificateBuilder()
                .serial_number(int(serial, 16))
                .revocation_date(dt.datetime.fromisoformat(entry["revoked_at"]))
            )
            reason = RevocationReason(entry["reason"])
            # RFC 5280 5.3.1: the reasonCode "unspecified" should be left out.
            if reason is not RevocationReason.UNSPECIFIED:
                revoked = revoked.add_extension(x509.CRLReason(_FLAGS[reason]), critical=False)
            builder = builder.add_revoked_certificate(revoked.build())
        return builder.sign(key, signature_hash(key))

