"""Revocation in the local CA: a list of revoked serials per CA, and its signed CRL.

``<data_dir>/crls/<CA id>/`` holds ``revoked.json`` (serial -> reason and time, plus
the last CRL number) and ``crl.pem``, the CRL signed by that CA's key, rewritten on
every revocation. Both are changed under the data_dir lock, so a worker and a CLI sharing
the data_dir cannot lose each other's revocations, and a repeated revocation of the
same serial finds the first one instead of adding another.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding

from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)
from certorder.plugins.local_ca.authority import LocalCA
from certorder.plugins.local_ca.keys import signature_hash
from certorder.plugins.local_ca.store import CAStore

CRL_DIR = "crls"
REVOKED_FILE = "revoked.json"
CRL_FILE = "crl.pem"

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
        with self._store.disk.locked():
            state = self._read(ca)
            entry = state["revoked"].get(serial)
            if entry is not None:
                return RevocationResult(
                    status=RevocationStatus.REVOKED, revoked_at=entry["revoked_at"],
                    status_message=f"serial {serial} was already revoked by local CA "
                                   f"{ca.ca_id!r} ({entry['reason']})")
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            state["revoked"][serial] = {"reason": reason.value, "revoked_at": now.isoformat()}
            self._write(ca, state)
        return RevocationResult(
            status=RevocationStatus.REVOKED, revoked_at=now,
            status_message=f"serial {serial} revoked by local CA {ca.ca_id!r}; CRL updated")

    def crl(self, ca_id: str | None) -> str:
        """A freshly signed CRL of ``ca_id`` (also published as its ``crl.pem``).

        :raises UnknownCAError: no such CA.
        """
        ca = self._store.get(ca_id)
        with self._store.disk.locked():
            return self._write(ca, self._read(ca))

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

    def _directory(self, ca: LocalCA) -> Path:
        # Beside cas/, not inside a CA's directory: a configured root has none, and a
        # deleted sub-CA's CRL should outlive it.
        directory = self._store.disk.root.parent / CRL_DIR / ca.ca_id
        directory.mkdir(mode=0o755, parents=True, exist_ok=True)
        return directory

    def _read(self, ca: LocalCA) -> dict[str, Any]:
        path = self._directory(ca) / REVOKED_FILE
        if not path.is_file():
            return {"crl_number": 0, "revoked": {}}
        return json.loads(path.read_text())

    def _write(self, ca: LocalCA, state: dict[str, Any]) -> str:
        """Sign a CRL from ``state`` (with the next CRL number) and publish both."""
        state["crl_number"] = int(state.get("crl_number", 0)) + 1
        crl = self._sign(ca, state)
        directory = self._directory(ca)
        _replace(directory / REVOKED_FILE, json.dumps(state, indent=2, sort_keys=True).encode())
        pem = crl.public_bytes(Encoding.PEM)
        _replace(directory / CRL_FILE, pem)
        return pem.decode()

    def _sign(self, ca: LocalCA, state: dict[str, Any]) -> x509.CertificateRevocationList:
        key = self._store.signing_key(ca)
        now = dt.datetime.now(dt.UTC)
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca.cert.subject)
            .last_update(now)
            .next_update(min(now + self._validity, ca.cert.not_valid_after_utc))
            .add_extension(x509.CRLNumber(state["crl_number"]), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.cert.public_key()),
                critical=False)
        )
        for serial, entry in sorted(state["revoked"].items()):
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


def _replace(path: Path, data: bytes) -> None:
    # Readers (a web server publishing the CRL) never see half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
