"""ACME Renewal Information (RFC 9773): the CA's suggested renewal window.

The directory's ``renewalInfo`` URL plus ``/<CertID>`` is fetched with an unsigned GET
(section 4.1); the answer's ``suggestedWindow`` is parsed by the ``acme`` library's
:class:`acme.messages.RenewalInfo`, and its ``Retry-After`` passed on.

The library's own ``ClientV2.renewal_time`` is not used: it picks the random moment
itself (the core must pick it inside the workflow, deterministically, and keep it while
the window stays the same), returns no window, and mixes naive local time into its
Retry-After. The CertID is computed here, as section 4.1 says, rather than with the
library's private helper.
"""

from __future__ import annotations

import base64
import datetime as dt

from acme import messages
from cryptography import x509

from certorder.plugins.acme.account import USER_AGENT, AcmeAccount
from certorder.plugins.acme.errors import result_for_failure
from certorder.plugins.acme.network import AcmeNetwork
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.errors import CAOperationError, CAUnavailableError
from certorder.plugins.interface.renewal_info import RenewalWindow
from certorder.plugins.interface.status import CertificateStatus

RENEWAL_INFO = "renewalInfo"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def cert_id(cert: x509.Certificate) -> str:
    """RFC 9773 section 4.1: base64url(AKI keyIdentifier) "." base64url(serial's DER
    INTEGER content octets, i.e. big-endian two's complement, minimal), no padding."""
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    if aki.key_identifier is None:
        raise CAOperationError("the certificate's Authority Key Identifier has no keyIdentifier")
    serial = cert.serial_number
    octets = serial.to_bytes(serial.bit_length() // 8 + 1, "big", signed=True)
    return f"{_b64url(aki.key_identifier)}.{_b64url(octets)}"


def suggested_window(account: AcmeAccount, settings: AcmeSettings,
                     certificate: str) -> RenewalWindow | None:
    """The window for ``certificate``, or None when the directory offers no ARI (or the
    certificate has expired: section 4.3 forbids asking then).

    :raises CAUnavailableError: the server cannot be reached or is busy.
    :raises CAOperationError: the server refused (e.g. 404: it does not know the
        certificate) or answered nonsense.
    """
    cert = x509.load_pem_x509_certificate(certificate.encode())
    if cert.not_valid_after_utc <= dt.datetime.now(dt.UTC):
        return None
    try:
        base = account.directory()[RENEWAL_INFO]
    except KeyError:
        return None
    except Exception as exc:  # noqa: BLE001 - mapped like every ACME failure
        raise _mapped(exc, None, settings) from None
    verify: bool | str = str(settings.ca_bundle) if settings.ca_bundle else True
    net = AcmeNetwork(None, verify_ssl=verify, user_agent=USER_AGENT,
                      timeout=int(settings.network_timeout))
    try:
        response = net.get(f"{base.rstrip('/')}/{cert_id(cert)}",
                           content_type="application/json")
        body = response.json()
        info = messages.RenewalInfo.from_json(body)
        window = info.suggested_window
        return RenewalWindow(start=window.start, end=window.end,
                             retry_after_seconds=net.retry_after_seconds(),
                             explanation_url=body.get("explanationURL"))
    except (CAOperationError, CAUnavailableError):
        raise
    except Exception as exc:  # noqa: BLE001 - mapped like every ACME failure
        raise _mapped(exc, net, settings) from None
    finally:
        net.session.close()


def _mapped(exc: Exception, net: AcmeNetwork | None, settings: AcmeSettings) -> Exception:
    outcome = result_for_failure(exc, net, settings)
    if outcome is None:
        return CAOperationError(f"renewal information: {type(exc).__name__}: {exc}")
    if outcome.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST:
        return CAUnavailableError(outcome.status_message or str(exc),
                                  retry_msec=outcome.retry_msec)
    return CAOperationError(f"renewal information: {outcome.status_message}")
