"""Revoking a CertCentral certificate: ``PUT certificate/{certificate_id}/revoke``.

CertCentral answers with a revoke *request*; unless ``skip_approval`` is set (and the
API key may do that) an administrator approves it, and then the order's status is
``revoked``. The order's ``requests`` list shows every revoke request and its status,
so each call starts by reading the order:

================================================  ==================================
Order info                                        revocation result
================================================  ==================================
status ``revoked``                                REVOKED (also for a repeated call)
a revoke request ``pending``                      WAITING_FOR_CA, nothing sent again
the revoke request we sent ``rejected``           REFUSED, with the administrator's
                                                  comment
otherwise                                         send the request, then as above
================================================  ==================================

CertCentral offers five reasons; any other is refused before anything is sent. A
4xx to the request is re-checked against the order (another revocation may have won)
and otherwise REFUSED with CertCentral's message; an outage raises
``CAUnavailableError`` from the client, which the core waits out.
"""

from __future__ import annotations

from certorder.plugins.certcentral.client import CertCentralClient, CertCentralError
from certorder.plugins.certcentral.order import ORDER_KEY
from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)

#: RFC 5280 names -> CertCentral's ``reason`` values.
CERTCENTRAL_REASONS = {
    RevocationReason.UNSPECIFIED: "unspecified",
    RevocationReason.KEY_COMPROMISE: "key_compromise",
    RevocationReason.AFFILIATION_CHANGED: "affiliation_changed",
    RevocationReason.SUPERSEDED: "superseded",
    RevocationReason.CESSATION_OF_OPERATION: "cessation_of_operation",
}
REQUEST_KEY = "certcentral_revoke_request_id"


def _refused(message: str) -> RevocationResult:
    return RevocationResult(status=RevocationStatus.REFUSED, status_message=message)


def revoke_at_certcentral(client: CertCentralClient, order_id: str, plugin_meta: dict,
                          reason: RevocationReason, *, skip_approval: bool,
                          retry_msec: int, brand: str) -> RevocationResult:
    """One step of a revocation (see the module docstring)."""
    remote = plugin_meta.get(ORDER_KEY)
    if not remote:
        return _refused(f"no {brand} order is known for order {order_id}")
    if reason not in CERTCENTRAL_REASONS:
        offered = ", ".join(r.value for r in CERTCENTRAL_REASONS)
        return _refused(f"{brand} does not accept the reason {reason.value} (only {offered})")
    info = client.order_info(int(remote))
    seen = _verdict(info, plugin_meta, retry_msec, brand)
    if seen is not None:
        return seen
    certificate_id = plugin_meta.get("certificate_id") or (info.get("certificate") or {}).get("id")
    body = {"reason": CERTCENTRAL_REASONS[reason], "skip_approval": skip_approval,
            "comments": f"certorder revocation of order {order_id} ({reason.value})"}
    try:
        request = client.revoke_certificate(int(certificate_id), body)
    except CertCentralError as exc:
        seen = _verdict(client.order_info(int(remote)), plugin_meta, retry_msec, brand)
        return seen or _refused(f"{brand} refused to revoke: {exc.code}: {exc.message}")
    plugin_meta[REQUEST_KEY] = request.get("id")
    seen = _verdict(client.order_info(int(remote)), plugin_meta, retry_msec, brand)
    return seen or RevocationResult(status=RevocationStatus.WAITING_FOR_CA,
                                    retry_msec=retry_msec,
                                    status_message=f"{brand} revoke request sent")


def _verdict(info: dict, plugin_meta: dict, retry_msec: int, brand: str
             ) -> RevocationResult | None:
    if info.get("status") == "revoked":
        return RevocationResult(status=RevocationStatus.REVOKED,
                                status_message=f"{brand} order {info.get('id')} is revoked")
    revokes = [r for r in info.get("requests") or () if r.get("type") == "revoke"]
    if any(r.get("status") == "pending" for r in revokes):
        return RevocationResult(
            status=RevocationStatus.WAITING_FOR_CA, retry_msec=retry_msec,
            status_message=f"{brand} revoke request waits for an administrator's approval")
    ours = [r for r in revokes if r.get("id") == plugin_meta.get(REQUEST_KEY)]
    if ours and ours[-1].get("status") == "rejected":
        comment = ours[-1].get("processor_comment") or "no comment"
        return _refused(f"{brand} rejected the revoke request: {comment}")
    return None
