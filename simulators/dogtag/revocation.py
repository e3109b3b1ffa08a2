"""Revocation in the simulated Dogtag CA, as ``AgentCertService`` does it.

* ``GET /ca/rest/agent/certs/{id}`` (agent): the ``CertData`` with a fresh ``Nonce``,
  kept for this HTTP session (Dogtag keeps it in the servlet session).
* ``POST /ca/rest/agent/certs/{id}/revoke`` (agent): a ``CertRevokeRequest``
  (``Reason``, ``Nonce``, optional ``InvalidityDate``, ``Comments``). Refusals, in
  Dogtag's order: unknown certificate 404 ``CertNotFoundException``; no body 400
  "Unable to revoke cert: invalid request"; a reason that is not a ``RevocationReason``
  label 400 (the typed field does not parse); a nonce refused as in :mod:`nonces`;
  already revoked 400 "Certificate 0x.. has already been revoked.". Success answers
  the revocation request's ``CertRequestInfo``, ``complete``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from simulators.dogtag.engine import DogtagError, Engine, bad_request
from simulators.dogtag.nonces import SessionNonces

#: ``RevocationReason`` labels (JSS), and their CRL reason codes.
REASON_CODES = {
    "Unspecified": 0, "Key_Compromise": 1, "CA_Compromise": 2, "Affiliation_Changed": 3,
    "Superseded": 4, "Cessation_of_Operation": 5, "Certificate_Hold": 6,
    "Remove_from_CRL": 8, "Privilege_Withdrawn": 9, "AA_Compromise": 10,
}


@dataclass(frozen=True)
class Revoked:
    """One revoked certificate, as the CA's certificate repository records it."""

    reason: int
    revoked_on_ms: int
    revoked_by: str
    request_number: int


class RevocationDesk:
    """Revocations of one simulated CA; every method holds the engine's lock."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.revoked: dict[int, Revoked] = {}
        self.revocation_requests = 0
        self._nonces = SessionNonces("cert-revoke")

    def review(self, raw_serial: str, session: str) -> tuple[int, str]:
        """The certificate's serial and a new nonce for revoking it in this session."""
        with self.engine.lock:
            cert, _ = self.engine.cert(raw_serial)
            return cert.serial_number, str(self._nonces.issue(session, cert.serial_number))

    def revoke(self, raw_serial: str, body: object, session: str | None) -> int:
        """Revoke as an agent; returns the revocation request's number."""
        with self.engine.lock:
            cert, _ = self.engine.cert(raw_serial)
            serial = cert.serial_number
            if not isinstance(body, dict):
                raise bad_request("Unable to revoke cert: invalid request")
            label = body.get("Reason", "Unspecified")
            if label not in REASON_CODES:
                raise bad_request(f"Unable to parse revocation request: invalid Reason {label!r}")
            refusal = self._nonces.consume(session, serial, body.get("Nonce"))
            if refusal is not None:
                raise DogtagError(*refusal)
            if serial in self.revoked:
                raise bad_request(f"Certificate 0x{serial:x} has already been revoked.")
            number = self.engine.next_request_number()
            self.revoked[serial] = Revoked(
                reason=REASON_CODES[label], revoked_on_ms=int(time.time() * 1000),
                revoked_by="agent", request_number=number)
            self.revocation_requests += 1
            return number

    def status_fields(self, serial: int) -> dict[str, object]:
        """The ``CertData`` fields that describe a revocation."""
        entry = self.revoked.get(serial)
        if entry is None:
            return {"Status": "VALID"}
        return {"Status": "REVOKED", "RevokedOn": entry.revoked_on_ms,
                "RevokedBy": entry.revoked_by, "RevocationReason": entry.reason}


def request_info(number: int, base_url: str) -> dict[str, object]:
    """The ``CertRequestInfo`` of a completed revocation request."""
    return {
        "requestID": hex(number), "requestType": "revocation", "requestStatus": "complete",
        "requestURL": f"{base_url}/ca/rest/certrequests/{number}",
        "operationResult": "success",
    }
