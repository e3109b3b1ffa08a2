"""The simulated CertCentral account: its orders, their life cycle, and the counters.

All methods are called from the HTTP handler threads and take one lock, so the
account behaves like one consistent server. Answers are the documented JSON shapes
(Order info, List orders, Order certificate, DCV pages on dev.digicert.com).
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import threading
from dataclasses import dataclass, field, replace

from cryptography import x509

from simulators.certcentral import errors, views
from simulators.certcentral.ca import SimulatorCA
from simulators.certcentral.scenario import Scenario
from simulators.certcentral.validation import OrderRequest, date_range

#: check-dcv answers while the token is not found (documented per DCV method).
_DCV_ERRORS = {
    "dns-txt-token": (
        "invalid_dns_txt",
        "Could not find a valid TXT record for one or more domains.",
    ),
    # Not on the check-dcv page (which lists TXT, HTTP and email): same style.
    "dns-cname-token": (
        "invalid_dns_cname",
        "Could not find a valid CNAME record for one or more domains.",
    ),
    "http-token": (
        "file_random_value_not_found",
        "Could not find the random value at the expected file location for one or more domains.",
    ),
    "email": ("invalid_dns_method", "An error occurred while processing your request."),
}
_CANCELABLE = ("pending", "waiting_pickup", "needs_approval")


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class Order:
    """One order and its simulated state."""

    id: int
    request_id: int
    certificate_id: int
    req: OrderRequest
    scenario: Scenario
    status: str
    created: str = field(default_factory=_now)
    reads: int = 0
    dcv_satisfied: bool = False
    dcv_random_value: str | None = None
    certificate: x509.Certificate | None = None
    request_status: str = "pending"
    processor_comment: str | None = None


class Account:
    """Orders, certificates and counters of one simulated account."""

    def __init__(self, ca: SimulatorCA) -> None:
        self.ca = ca
        self.lock = threading.RLock()
        self.orders: dict[int, Order] = {}
        self.orders_placed = 0
        self._ids = itertools.count(100001)

    # -- life cycle ------------------------------------------------------------------

    def _issue(self, order: Order) -> None:
        order.certificate = self.ca.issue(
            order.req.csr, order.req.common_name, order.req.dns_names, order.req.validity_days
        )
        order.status = "issued"
        order.request_status = "approved"

    def _advance(self, order: Order) -> None:
        """One read of the order by the client: DigiCert's side makes progress."""
        order.reads += 1
        kind, polls = order.scenario.kind, order.scenario.polls
        if order.status == "pending" and kind in ("pending", "reject", "cancel"):
            if order.reads > polls:
                if kind == "pending":
                    self._issue(order)
                elif kind == "reject":
                    order.status = order.request_status = "rejected"
                    order.processor_comment = order.scenario.reason
                else:
                    order.status = "canceled"
        elif order.status == "pending" and kind == "dcv":
            if order.dcv_satisfied or (polls and order.reads > polls):
                self._issue(order)
        elif order.status == "needs_approval" and polls and order.reads > polls:
            self._issue(order)

    # -- API operations --------------------------------------------------------------

    def place(self, req: OrderRequest, scenario: Scenario) -> dict:
        """``POST order/certificate/{product}``: the 201 body."""
        with self.lock:
            number = next(self._ids)
            order = Order(
                id=number,
                request_id=number + 400000,
                certificate_id=number + 800000,
                req=req,
                scenario=scenario,
                status="needs_approval" if scenario.kind == "approval" else "pending",
            )
            if req.dcv_method != "email":
                order.dcv_random_value = secrets.token_hex(16)
            # Only the dcv scenario makes domain validation the blocker.
            order.dcv_satisfied = scenario.kind != "dcv"
            self.orders[order.id] = order
            self.orders_placed += 1
            request = {"id": order.request_id, "status": "pending"}
            answer: dict = {"id": order.id, "requests": [request]}
            if scenario.kind == "issue":
                self._issue(order)
                answer["requests"][0]["status"] = "approved"
                answer["certificate_id"] = order.certificate_id
                answer["certificate_chain"] = views.chain(order, self.ca)
            if order.dcv_random_value:
                answer["dcv_random_value"] = order.dcv_random_value
            return answer

    def get(self, order_id: int) -> Order:
        """The order, or ``404 not_found|order``."""
        order = self.orders.get(order_id)
        if order is None:
            raise errors.not_found("order")
        return order

    def info(self, order_id: int) -> dict:
        """``GET order/certificate/{id}`` (each read lets the scenario progress)."""
        with self.lock:
            order = self.get(order_id)
            self._advance(order)
            return views.describe(order)

    def list(self, filters: dict[str, str], offset: int, limit: int) -> dict:
        """``GET order/certificate`` with ``filters[id|status|common_name|product_name_id]``
        (exact values) and ``filters[date_created]=YYYY-MM-DD...YYYY-MM-DD`` (a date range,
        both ends included, the syntax the Services API documents for date filters)."""
        created = filters.pop("date_created", None)
        first, last = date_range(created) if created is not None else (None, None)
        with self.lock:
            rows = []
            for order in self.orders.values():
                values = {
                    "id": str(order.id),
                    "status": order.status,
                    "common_name": order.req.common_name,
                    "product_name_id": order.req.product,
                }
                day = order.created[:10]
                if first is not None and not (first <= day <= last):
                    continue
                if all(values.get(key) == value for key, value in filters.items()):
                    rows.append(order)
            page = rows[offset : offset + limit]
            return {
                "orders": [views.summary(order) for order in page],
                "page": {"total": len(rows), "limit": limit, "offset": offset},
            }

    def age_orders(self, days: int) -> None:
        """Make every order placed so far ``days`` older: an account's history."""
        with self.lock:
            for order in self.orders.values():
                when = dt.datetime.fromisoformat(order.created) - dt.timedelta(days=days)
                order.created = when.isoformat()

    def cancel(self, order_id: int) -> None:
        """Status update to ``canceled``; only while the order can still be stopped."""
        with self.lock:
            order = self.get(order_id)
            if order.status not in _CANCELABLE:
                raise errors.ApiError(
                    400,
                    "invalid_order_status",
                    f"An order with status {order.status} cannot be canceled.",
                )
            order.status = "canceled"

    def _pending(self, order_id: int) -> Order:
        order = self.get(order_id)
        if order.status != "pending":
            raise errors.ApiError(
                400, "invalid_order_status", f"The order status is {order.status}, not pending."
            )
        return order

    def change_dcv_method(self, order_id: int, method: str) -> dict:
        """``PUT .../dcv-method``: a fresh random value for token methods."""
        with self.lock:
            order = self._pending(order_id)
            order.req = _replace_dcv(order.req, method)
            order.dcv_satisfied = True  # the client acts: the simulated token is now in place
            if method == "email":
                order.dcv_random_value = None
                return {}
            order.dcv_random_value = secrets.token_hex(16)
            expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=30)
            return {
                "dcv_random_value": order.dcv_random_value,
                "expiration_date": expires.replace(microsecond=0).isoformat(),
            }

    def resend_emails(self, order_id: int) -> None:
        """``PUT .../resend-emails``: the simulated recipient approves at once."""
        with self.lock:
            self._pending(order_id).dcv_satisfied = True

    def check_dcv(self, order_id: int) -> dict:
        """``PUT .../check-dcv``: issued when DCV is satisfied, else DigiCert's 400."""
        with self.lock:
            order = self._pending(order_id)
            method = order.req.dcv_method
            if method == "email" or not order.dcv_satisfied:
                raise errors.ApiError(400, *_DCV_ERRORS[method])
            if order.scenario.kind == "dcv":
                self._issue(order)
            return {
                "order_status": order.status,
                "certificate_id": order.certificate_id,
                "dcv_status": "valid",
                "dns_name_validations": [
                    {"dns_name": n, "status": "approved"}
                    for n in [order.req.common_name, *order.req.dns_names]
                ],
            }

    def decide_request(self, request_id: int, status: str, comment: str | None) -> None:
        """``PUT request/{id}/status``: an administrator approves or rejects."""
        with self.lock:
            order = next((o for o in self.orders.values() if o.request_id == request_id), None)
            if order is None or order.status != "needs_approval":
                raise errors.not_found("request")
            if status == "approved":
                self._issue(order)
            else:
                order.status = order.request_status = "rejected"
                order.processor_comment = comment or "Rejected by an administrator."

    def certificate_chain(self, certificate_id: int) -> list[str]:
        """PEMs of an issued certificate's chain, leaf first."""
        with self.lock:
            for order in self.orders.values():
                if order.certificate_id == certificate_id and order.certificate is not None:
                    return self.ca.chain_pems(order.certificate)
            raise errors.not_found("certificate")


def _replace_dcv(req: OrderRequest, method: str) -> OrderRequest:
    return replace(req, dcv_method=method)
