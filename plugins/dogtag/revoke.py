"""Revoking a certificate at Dogtag as an agent (``AgentCertService.revokeCert``).

The official client's sequence: review the certificate (``GET agent/certs/{id}``) for
a nonce, then ``POST agent/certs/{id}/revoke`` with ``{"Reason", "Nonce"}`` on the same
session. Before that, the public ``GET certs/{id}`` says whether it is revoked
already: a repeated call (a worker died after Dogtag revoked) then answers REVOKED
without a second revocation request. Dogtag's answers:

=====================================  ==============================================
Dogtag                                 revocation result
=====================================  ==============================================
``complete``                           REVOKED
``pending`` (an approval is needed)    WAITING_FOR_CA; the next call looks again
400 "... has already been revoked"     REVOKED (another revocation was quicker)
other 4xx (not found, not allowed)     REFUSED with Dogtag's message
unreachable, timeout, 5xx              CA_UNAVAILABLE
=====================================  ==============================================
"""

from __future__ import annotations

from cryptography import x509

from certorder.plugins.dogtag.client import DogtagAPIError, DogtagClient, DogtagUnavailableError
from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)

#: RFC 5280 names -> the ``RevocationReason`` labels Dogtag (JSS) parses.
DOGTAG_REASONS = {
    RevocationReason.UNSPECIFIED: "Unspecified",
    RevocationReason.KEY_COMPROMISE: "Key_Compromise",
    RevocationReason.CA_COMPROMISE: "CA_Compromise",
    RevocationReason.AFFILIATION_CHANGED: "Affiliation_Changed",
    RevocationReason.SUPERSEDED: "Superseded",
    RevocationReason.CESSATION_OF_OPERATION: "Cessation_of_Operation",
    RevocationReason.CERTIFICATE_HOLD: "Certificate_Hold",
    RevocationReason.PRIVILEGE_WITHDRAWN: "Privilege_Withdrawn",
}
_REVOKED_STATES = ("REVOKED", "REVOKED_EXPIRED")


def revoke_at_dogtag(client: DogtagClient, certificate: str, reason: RevocationReason, *,
                     waiting_msec: int, unavailable_msec: int) -> RevocationResult:
    """One revocation attempt; never a second revocation of a revoked certificate."""
    serial = hex(x509.load_pem_x509_certificate(certificate.encode()).serial_number)
    try:
        if client.get_cert(serial).get("Status") in _REVOKED_STATES:
            return _revoked(f"Dogtag certificate {serial} was already revoked")
        info = client.review_and_revoke(serial, {"Reason": DOGTAG_REASONS[reason]})
    except DogtagUnavailableError as exc:
        return RevocationResult(status=RevocationStatus.CA_UNAVAILABLE,
                                status_message=str(exc), retry_msec=unavailable_msec)
    except DogtagAPIError as exc:
        if exc.status == 400 and "already been revoked" in exc.message:
            return _revoked(f"Dogtag certificate {serial} was already revoked")
        return RevocationResult(status=RevocationStatus.REFUSED,
                                status_message=f"Dogtag refused to revoke {serial}: {exc}")
    state = (info or {}).get("requestStatus")
    if state == "complete":
        return _revoked(f"Dogtag revoked certificate {serial} ({DOGTAG_REASONS[reason]})")
    if state in ("pending", "begin", "approved", "svc_pending"):
        return RevocationResult(status=RevocationStatus.WAITING_FOR_CA, retry_msec=waiting_msec,
                                status_message=f"Dogtag revocation request is {state}")
    return RevocationResult(status=RevocationStatus.REFUSED,
                            status_message=f"Dogtag revocation request ended {state}")


def _revoked(message: str) -> RevocationResult:
    return RevocationResult(status=RevocationStatus.REVOKED, status_message=message)
