"""How a CertCentral order's state becomes a :class:`ResultDTO`.

CertCentral order statuses (Order info, List orders, Keyfactor's CertCentral gateway):
``pending``, ``processing``, ``waiting_pickup``, ``reissue_pending``, ``needs_approval``,
``needs_csr``, ``issued``, ``rejected``, ``denied``, ``canceled``, ``revoked``,
``expired``. The table in ``docs/plugins/digicert.md`` is the same mapping.
"""

from __future__ import annotations

from certorder.plugins.interface.dto import ResultDTO
from certorder.plugins.interface.errors import CAUnavailableError
from certorder.plugins.interface.status import CertificateStatus

#: Statuses in which DigiCert is working and nothing is asked of the client.
WORKING = frozenset({"pending", "processing", "waiting_pickup", "reissue_pending", "approved"})
#: Statuses in which the client (or a CertCentral administrator) must act.
CLIENT_MUST_ACT = frozenset({"needs_approval", "needs_csr"})
#: Statuses that end the order without a certificate.
FAILED = frozenset({"rejected", "denied", "revoked", "expired"})


def waiting(message: str, retry_msec: int) -> ResultDTO:
    """DigiCert is working on the order; poll again later."""
    return ResultDTO(
        status=CertificateStatus.WAITING_FOR_CA, status_message=message, retry_msec=retry_msec
    )


def client_issue(message: str, retry_msec: int) -> ResultDTO:
    """The order waits on the client; poll again later (a modify may fix it sooner)."""
    return ResultDTO(
        status=CertificateStatus.CLIENT_DATA_ISSUE_SEEN,
        status_message=message,
        retry_msec=retry_msec,
    )


def invalid(message: str) -> ResultDTO:
    """The order cannot succeed."""
    return ResultDTO(status=CertificateStatus.INVALID_OPERATION, status_message=message)


def canceled(message: str) -> ResultDTO:
    """The order was canceled at CertCentral."""
    return ResultDTO(status=CertificateStatus.REQUEST_CANCELED, status_message=message)


def unavailable(exc: CAUnavailableError) -> ResultDTO:
    """CertCentral could not be reached or asked us to slow down; the same call is
    repeated after the delay (the server's ``Retry-After`` when it sent one)."""
    return ResultDTO(
        status=CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST,
        status_message=str(exc),
        retry_msec=exc.retry_msec,
    )


def generated(leaf: str, intermediates: str | None, message: str) -> ResultDTO:
    """The certificate is issued."""
    return ResultDTO(
        status=CertificateStatus.CERTIFICATE_GENERATED,
        status_message=message,
        certificate=leaf,
        intermediates=intermediates,
    )


def failure_reason(order: dict) -> str:
    """The CA's own words on why an order failed, from its latest request, if any."""
    for request in reversed(order.get("requests") or []):
        if isinstance(request, dict):
            for key in ("processor_comment", "reason", "rejection_reason"):
                if request.get(key):
                    return str(request[key])
    return ""
