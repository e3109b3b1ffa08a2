"""Revocation in the simulated CertCentral: ``PUT certificate/{certificate_id}/revoke``.

The request body is ``{"comments", "reason", "skip_approval"}``. CertCentral answers
201 with the revoke *request* (``{"id","date","type":"revoke","status","requester",
"comments"}``); an administrator approves it (``PUT request/{id}/status``, the same
call as for a new-certificate request) unless ``skip_approval`` was set, and then the
order's status becomes ``revoked``. The order's ``requests`` list shows the revoke
request beside the original one.

Refusals: a body that is not an object, or without ``comments``: 400
``missing_param|comments``; an unknown ``reason`` (CertCentral offers five) or a
``skip_approval`` that is not a boolean: 400 ``invalid_param|...``; a certificate id
with no issued certificate: 404 ``not_found|certificate``. The public pages give no
codes for "already revoked" and "a revoke request is already pending"; the simulator
uses ``invalid_certificate_status`` and ``duplicate_request`` (its own, in the same
style), and the plugin depends on neither: it reads the order first.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any

from simulators.certcentral import errors

if TYPE_CHECKING:
    from simulators.certcentral.account import Account, Order

#: The ``reason`` values CertCentral accepts.
REASONS = ("unspecified", "key_compromise", "affiliation_changed", "superseded",
           "cessation_of_operation")
_REQUESTER = {"id": 14, "first_name": "Simulated", "last_name": "Admin",
              "email": "admin@example.test"}


class RevocationDesk:
    """Revoke requests of one simulated account (under the account's lock)."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.requests: dict[int, dict[str, Any]] = {}
        #: certificate id -> reason, for every certificate the CA has revoked.
        self.revoked: dict[int, str] = {}
        self._ids = itertools.count(700001)
        self._orders: dict[int, Order] = {}

    def request(self, certificate_id: int, body: Any) -> dict[str, Any]:
        """Create a revoke request (approved at once with ``skip_approval``)."""
        if not isinstance(body, dict) or not isinstance(body.get("comments"), str) \
                or not body["comments"]:
            raise errors.missing("comments")
        reason = body.get("reason", "unspecified")
        if reason not in REASONS:
            raise errors.invalid("reason", f"reason must be one of {', '.join(REASONS)}.")
        skip = body.get("skip_approval", False)
        if not isinstance(skip, bool):
            raise errors.invalid("skip_approval", "skip_approval must be a boolean.")
        with self.account.lock:
            order = self._issued_order(certificate_id)
            if order.status == "revoked":
                raise errors.ApiError(400, "invalid_certificate_status",
                                      "The certificate has already been revoked.")
            if any(r["status"] == "pending" for r in order.revoke_requests):
                raise errors.ApiError(400, "duplicate_request",
                                      "A revoke request for this certificate is pending.")
            request = {"id": next(self._ids), "type": "revoke", "status": "pending",
                       "date": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
                       "requester": dict(_REQUESTER), "comments": body["comments"],
                       "reason": reason}
            order.revoke_requests.append(request)
            self.requests[request["id"]] = request
            self._orders[request["id"]] = order
            if skip:
                self._approve(request)
            return {key: value for key, value in request.items() if key != "reason"}

    def decide(self, request_id: int, status: str, comment: str | None) -> bool:
        """An administrator decides a revoke request; False if it is not one."""
        with self.account.lock:
            request = self.requests.get(request_id)
            if request is None:
                return False
            if request["status"] != "pending":
                raise errors.not_found("request")
            if status == "approved":
                self._approve(request)
            else:
                request["status"] = "rejected"
                request["processor_comment"] = comment or "Rejected by an administrator."
            return True

    def _approve(self, request: dict[str, Any]) -> None:
        order = self._orders[request["id"]]
        request["status"] = "approved"
        order.status = "revoked"
        self.revoked[order.certificate_id] = request["reason"]

    def _issued_order(self, certificate_id: int) -> Order:
        for order in self.account.orders.values():
            if order.certificate_id == certificate_id and order.certificate is not None:
                return order
        raise errors.not_found("certificate")
