"""Revocation through ``cfssl serve``'s ``revoke`` endpoint.

The endpoint exists only when the server runs with ``-db-config`` (the certificate
database where ``sign`` records what it issues and ``revoke`` marks it revoked).
Request: ``{"serial": <decimal>, "authority_key_id": <hex>, "reason": <RFC 5280 name>}``.

Two facts of the real server decide the code:

* cfssl 1.2 records signed certificates with an *empty* authority key id, and looks a
  certificate up by both fields: so when the certificate's own AKI finds nothing, the
  request is made again with an empty one (newer cfssl records the real AKI).
* ``revoke`` is an UPDATE: repeating it succeeds again and rewrites the time and the
  reason. A repeat from a retried call carries the same reason, so the record stays
  the same revocation; ``plugin_meta["cfssl_revoked"]`` stops any further call.
"""

from __future__ import annotations

from cryptography import x509

from certorder.plugins.cfssl.client import CfsslClient, CfsslRefusedError
from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)

NOT_FOUND = "certificate not found"


def _aki(cert: x509.Certificate) -> str:
    try:
        value = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    except x509.ExtensionNotFound:
        return ""
    return (value.key_identifier or b"").hex()


def revoke_at_cfssl(client: CfsslClient, certificate: str, plugin_meta: dict,
                    reason: RevocationReason) -> RevocationResult:
    """Revoke ``certificate`` at the CFSSL server (``CAUnavailableError`` if unreachable)."""
    cert = x509.load_pem_x509_certificate(certificate.encode())
    serial = str(cert.serial_number)
    if plugin_meta.get("cfssl_revoked"):
        return RevocationResult(status=RevocationStatus.REVOKED,
                                status_message=f"serial {serial} was already revoked")
    aki, error = _aki(cert), None
    for key_id in dict.fromkeys([aki, ""]):
        try:
            client.revoke(serial, key_id, reason.value)
        except CfsslRefusedError as exc:
            error = str(exc)
            if NOT_FOUND in error:
                continue
            break
        plugin_meta["cfssl_revoked"] = True
        return RevocationResult(
            status=RevocationStatus.REVOKED,
            status_message=f"CFSSL revoked serial {cert.serial_number:x} ({reason.value})")
    return RevocationResult(status=RevocationStatus.REFUSED, status_message=error)
