"""Revocation through ACME (RFC 8555 section 7.6), signed with the plugin's account key.

The account that ordered a certificate may revoke it. The server's answers:

====================================  ================================================
ACME                                  revocation result
====================================  ================================================
200                                   REVOKED
``alreadyRevoked``                    REVOKED (a repeated call: revoked once, earlier)
connection refused, 5xx, busy         CA_UNAVAILABLE, the server's ``Retry-After``
``unauthorized``,                     REFUSED with the problem's type and detail
``badRevocationReason``, others
====================================  ================================================
"""

from __future__ import annotations

import logging

from acme import messages
from cryptography import x509

from certorder.plugins.acme.account import AcmeAccount
from certorder.plugins.acme.errors import is_account_gone, problem_text, result_for_failure
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)
from certorder.plugins.interface.status import CertificateStatus

LOG = logging.getLogger(__name__)

#: RFC 8555 section 6.7: the certificate was revoked before.
ALREADY_REVOKED = "alreadyRevoked"


def revoke_with_account(account: AcmeAccount, settings: AcmeSettings, certificate: str,
                        reason: RevocationReason) -> RevocationResult:
    """Send one revocation request; an account the CA forgot is registered again, once."""
    cert = x509.load_pem_x509_certificate(certificate.encode())
    serial = format(cert.serial_number, "x")
    for attempt in (1, 2):
        session = None
        try:
            session = account.session()
            session.acme.revoke(cert, reason.code)
            return RevocationResult(status=RevocationStatus.REVOKED,
                                    status_message=f"ACME server revoked serial {serial}")
        except Exception as exc:  # noqa: BLE001 - every failure is mapped or re-raised
            if isinstance(exc, messages.Error) and exc.code == ALREADY_REVOKED:
                return RevocationResult(
                    status=RevocationStatus.REVOKED,
                    status_message=f"serial {serial} was already revoked ({problem_text(exc)})")
            if attempt == 1 and is_account_gone(exc):
                LOG.warning("ACME account unknown to the server; registering again")
                account.forget_registration()
                continue
            outcome = result_for_failure(exc, session.net if session else None, settings)
            if outcome is None:
                raise
            if outcome.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST:
                return RevocationResult(status=RevocationStatus.CA_UNAVAILABLE,
                                        status_message=outcome.status_message,
                                        retry_msec=outcome.retry_msec)
            message = (outcome.status_message or "").replace("ACME server refused: ", "")
            return RevocationResult(status=RevocationStatus.REFUSED,
                                    status_message=f"ACME server refused to revoke: {message}")
        finally:
            if session is not None:
                session.net.session.close()
    raise AssertionError("unreachable")
