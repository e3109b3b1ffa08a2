"""A strict ACME Renewal Information responder (RFC 9773) in front of a Pebble.

Debian's Pebble 2.4 has no ``renewalInfo``. This serves Pebble's directory with a
``renewalInfo`` URL added (every other URL still points at Pebble, so signed requests
go there unchanged) and answers ``GET <renewalInfo>/<CertID>`` as strictly as the RFC
allows, computing the expected CertID itself from Pebble's own intermediate and serials:

* 400 for a malformed CertID: not ``<b64url>.<b64url>``, padding, a non-canonical
  encoding, or a serial that is not a minimal, positive DER INTEGER (section 4.1);
* 404 when the key identifier is not the issuing intermediate's, or Pebble never issued
  that serial;
* else 200 with ``suggestedWindow`` from :attr:`AriResponder.window` (a function of the
  serial) and its ``Retry-After``.

Every request is kept in :attr:`AriResponder.requests` as ``(path, status)``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
from cryptography import x509

from servers.pebble import PebbleServer

#: (start, end, Retry-After seconds or None) for a serial.
Window = tuple[dt.datetime, dt.datetime, int | None]
_B64URL = re.compile(r"[A-Za-z0-9_-]+")


def _decode(part: str) -> bytes | None:
    if not _B64URL.fullmatch(part):
        return None  # padding or foreign characters
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError):
        return None
    return data if base64.urlsafe_b64encode(data).decode().rstrip("=") == part else None


def _serial(octets: bytes) -> int | None:
    """The serial of minimal DER INTEGER content octets, if positive."""
    if not octets or octets[0] & 0x80:
        return None
    if len(octets) > 1 and octets[0] == 0 and not octets[1] & 0x80:
        return None  # a redundant leading zero
    return int.from_bytes(octets, "big")


def default_window(serial: int) -> Window:
    now = dt.datetime.now(dt.UTC)
    return now + dt.timedelta(days=30), now + dt.timedelta(days=31), 3600


class AriResponder:
    def __init__(self, pebble: PebbleServer) -> None:
        self.pebble = pebble
        self.window: Callable[[int], Window] = default_window
        self.requests: list[tuple[str, int]] = []
        self._context = ssl.create_default_context(cafile=str(pebble.ca_bundle))
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def directory_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/dir"

    @property
    def renewal_info_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/renewal-info"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def answer(self, path: str) -> tuple[int, dict, dict]:
        """(status, headers, body) for a GET of ``path``."""
        if path == "/dir":
            directory = httpx.get(self.pebble.directory_url, verify=self._context,
                                  timeout=5).json()
            return 200, {}, {**directory, "renewalInfo": self.renewal_info_url}
        prefix = "/renewal-info/"
        if not path.startswith(prefix):
            return 404, {}, {"detail": "no such resource"}
        parts = path[len(prefix):].split(".")
        decoded = [_decode(part) for part in parts] if len(parts) == 2 else [None]
        if None in decoded:
            return 400, {}, {"type": "urn:ietf:params:acme:error:malformed",
                             "detail": "malformed CertID"}
        key_id, serial_octets = decoded
        serial = _serial(serial_octets)
        if serial is None:
            return 400, {}, {"type": "urn:ietf:params:acme:error:malformed",
                             "detail": "serial is not a minimal positive DER INTEGER"}
        if key_id != self._intermediate_key_id() or not self._issued(serial):
            return 404, {}, {"type": "urn:ietf:params:acme:error:malformed",
                             "detail": "unknown certificate"}
        start, end, retry_after = self.window(serial)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {"suggestedWindow": {"start": start.isoformat().replace("+00:00", "Z"),
                                    "end": end.isoformat().replace("+00:00", "Z")}}
        return 200, headers, body

    def _intermediate_key_id(self) -> bytes:
        cert = x509.load_pem_x509_certificate(self.pebble.intermediate_pem().encode())
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest

    def _issued(self, serial: int) -> bool:
        url = (f"https://127.0.0.1:{self.pebble.management_port}"
               f"/cert-status-by-serial/{serial:x}")
        return httpx.get(url, verify=self._context, timeout=5).status_code == 200

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        responder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                status, headers, body = responder.answer(self.path)
                responder.requests.append((self.path, status))
                data = json.dumps(body).encode()
                self.send_response(status)
                kind = "application/json" if status == 200 else "application/problem+json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        return Handler
