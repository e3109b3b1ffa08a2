"""HTTP routing of the CertCentral simulator: ``/services/v2/...`` and ``/_sim/...``.

Strictness, as the real API: every ``/services/v2`` request must carry a known
``X-DC-DEVKEY`` (else 401); a request with a body must say
``Content-Type: application/json`` and hold valid JSON (else 400
``bad_request_format``); unknown routes get ``404 not_found|route``. ``/_sim/...`` is the
simulator's own admin API (scenario, faults, counters) and needs no key.
"""

from __future__ import annotations

import json
import re
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from simulators.certcentral import errors
from simulators.certcentral.products import DCV_METHODS, PRODUCTS
from simulators.certcentral.validation import validate_order

if TYPE_CHECKING:
    from simulators.certcentral.server import CertCentralSimulator

API = "/services/v2/"
_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"order/certificate"), "list_orders"),
    ("POST", re.compile(r"order/certificate/(?P<product>[a-z0-9_]+)"), "place_order"),
    ("GET", re.compile(r"order/certificate/(?P<id>\d+)"), "order_info"),
    ("PUT", re.compile(r"order/certificate/(?P<id>\d+)/status"), "update_status"),
    ("PUT", re.compile(r"order/certificate/(?P<id>\d+)/dcv-method"), "dcv_method"),
    ("PUT", re.compile(r"order/certificate/(?P<id>\d+)/resend-emails"), "resend_emails"),
    ("PUT", re.compile(r"order/certificate/(?P<id>\d+)/check-dcv"), "check_dcv"),
    ("GET", re.compile(r"certificate/(?P<id>\d+)/download/format/(?P<fmt>[a-z_]+)"), "download"),
    ("PUT", re.compile(r"request/(?P<id>\d+)/status"), "decide_request"),
    ("PUT", re.compile(r"certificate/(?P<id>\d+)/revoke"), "revoke_certificate"),
    ("GET", re.compile(r"product"), "products"),
]


class Handler(BaseHTTPRequestHandler):
    """One request; ``server.simulator`` is the :class:`CertCentralSimulator`."""

    server_version = "CertCentralSimulator/1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests read the simulator's state, not its log."""

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    @property
    def sim(self) -> CertCentralSimulator:
        return self.server.simulator  # type: ignore[attr-defined]

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            if url.path.startswith("/_sim/"):
                self._reply(200, self.sim.admin(method, url.path[len("/_sim/") :], _loads(raw)))
                return
            if not url.path.startswith(API):
                raise errors.not_found("route")
            self.sim.before_api_request(method)
            if self.headers.get("X-DC-DEVKEY") not in self.sim.api_keys:
                raise errors.unauthorized()
            body = None
            if raw:
                if self.headers.get_content_type() != "application/json":
                    raise errors.bad_format()
                body = _loads(raw)
            route, args = _route(method, url.path[len(API) :])
            query = dict(parse_qsl(url.query))
            status, answer = getattr(self, "api_" + route)(body, query, **args)
            headers = {}
            if route == "order_info" and self.sim.order_retry_after is not None:
                headers["Retry-After"] = str(self.sim.order_retry_after)
            self._reply(status, answer, headers)
        except errors.ApiError as exc:
            self._reply(exc.status, exc.body(), exc.headers)

    def _reply(self, status: int, answer: Any, headers: dict | None = None) -> None:
        try:
            self._write(status, answer, headers)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (timeout scenarios)

    def _write(self, status: int, answer: Any, headers: dict | None) -> None:
        if status == 204:
            payload, content_type = b"", None
        elif isinstance(answer, str):
            payload, content_type = answer.encode(), "application/x-pem-file"
        else:
            payload, content_type = json.dumps(answer).encode(), "application/json"
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    # -- API -------------------------------------------------------------------------

    def api_place_order(self, body, query, product):
        req = validate_order(product, body)
        return 201, self.sim.account.place(req, self.sim.scenario)

    def api_order_info(self, body, query, id):  # noqa: A002
        return 200, self.sim.account.info(int(id))

    def api_list_orders(self, body, query):
        filters = {
            key[len("filters[") : -1]: value
            for key, value in query.items()
            if key.startswith("filters[") and key.endswith("]")
        }
        offset, limit = _int(query.get("offset"), 0), min(_int(query.get("limit"), 1000), 1000)
        return 200, self.sim.account.list(filters, offset, limit)

    def api_update_status(self, body, query, id):  # noqa: A002
        status = _field(body, "status")
        # Lemur sends "CANCELED": CertCentral accepts either case.
        if status.lower() != "canceled":
            raise errors.invalid("status", "Only the status canceled can be set on an order.")
        _field(body, "note")
        self.sim.account.cancel(int(id))
        return 204, None

    def api_dcv_method(self, body, query, id):  # noqa: A002
        method = _field(body, "dcv_method")
        if method not in DCV_METHODS:
            raise errors.invalid("dcv_method", "Invalid DCV method.")
        answer = self.sim.account.change_dcv_method(int(id), method)
        return (200, answer) if answer else (204, None)

    def api_resend_emails(self, body, query, id):  # noqa: A002
        self.sim.account.resend_emails(int(id))
        return 204, None

    def api_check_dcv(self, body, query, id):  # noqa: A002
        return 200, self.sim.account.check_dcv(int(id))

    def api_download(self, body, query, id, fmt):  # noqa: A002
        pems = self.sim.account.certificate_chain(int(id))
        if fmt == "pem_all":
            return 200, "".join(pems)
        if fmt == "pem_noroot":
            return 200, "".join(pems[:-1])
        if fmt == "pem_nointermediate":
            return 200, pems[0] + pems[-1]
        raise errors.invalid("format", f"Unsupported format {fmt} in this simulator.")

    def api_decide_request(self, body, query, id):  # noqa: A002
        status = _field(body, "status")
        if status not in ("approved", "rejected"):
            raise errors.invalid("status", "status must be approved or rejected.")
        comment = (body or {}).get("processor_comment")
        if not self.sim.revocations.decide(int(id), status, comment):
            self.sim.account.decide_request(int(id), status, comment)
        return 204, None

    def api_revoke_certificate(self, body, query, id):  # noqa: A002
        return 201, self.sim.revocations.request(int(id), body)

    def api_products(self, body, query):
        return 200, {
            "products": [
                {
                    "group_name": "ssl_certificate",
                    "name_id": key,
                    "name": name,
                    "type": "ssl_certificate",
                    "validation_type": validation,
                }
                for key, (name, validation) in PRODUCTS.items()
            ]
        }


def _route(method: str, path: str) -> tuple[str, dict[str, str]]:
    for verb, pattern, name in _ROUTES:
        match = pattern.fullmatch(path.rstrip("/"))
        if verb == method and match:
            return name, match.groupdict()
    raise errors.not_found("route")


def _loads(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise errors.bad_format() from None


def _field(body: Any, name: str) -> str:
    if not isinstance(body, dict) or not isinstance(body.get(name), str) or not body[name]:
        raise errors.missing(name)
    return body[name]


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, int(value)) if value is not None else default
    except ValueError:
        raise errors.invalid("limit", "offset and limit must be integers.") from None


def pause(seconds: float) -> None:
    """Sleep in the handler thread (used to provoke client timeouts)."""
    if seconds > 0:
        time.sleep(seconds)
