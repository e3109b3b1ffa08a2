"""The codec server: Temporal's remote codec protocol over HTTP, so that the Temporal
UI and ``temporal workflow show --codec-endpoint`` show encrypted orders readably.

``POST /encode`` and ``POST /decode`` take and return ``{"payloads": [...]}`` in the
protobuf JSON form of ``temporal.api.common.v1.Payloads``. The UI calls it from the
browser, so it answers CORS preflights for the configured UI origins only. Whoever
reaches it can decrypt, so it binds to loopback unless told otherwise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from google.protobuf import json_format
from temporalio.api.common.v1 import Payloads

from certorder.codec import AesGcmCodec, PayloadDecryptionError

log = logging.getLogger("certorder.codec_server")

#: The largest request body accepted (a history page of payloads is far smaller).
MAX_BODY = 16 * 1024 * 1024


class CodecServer(ThreadingHTTPServer):
    """``server.serve_forever()`` serves the codec; ``server.server_port`` is its port."""

    daemon_threads = True

    def __init__(self, codec: AesGcmCodec, host: str, port: int,
                 cors_origins: Sequence[str]) -> None:
        self.codec = codec
        self.cors_origins = frozenset(cors_origins)
        super().__init__((host, port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: CodecServer
    protocol_version = "HTTP/1.1"

    def do_OPTIONS(self) -> None:  # noqa: N802 - http.server's naming
        self._reply(HTTPStatus.NO_CONTENT, b"")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if not 0 < length <= MAX_BODY:
            # The body stays unread: the connection cannot carry another request.
            self.close_connection = True
            self._error(HTTPStatus.BAD_REQUEST, "expected a JSON body with payloads")
            return
        body = self.rfile.read(length)
        # The UI adds a query (`/decode?preserveStorageRefs=true`): route on the path.
        path = urlsplit(self.path).path.rstrip("/")
        transform = {"/encode": self.server.codec.encrypt,
                     "/decode": self.server.codec.decrypt}.get(path)
        if transform is None:
            self._error(HTTPStatus.NOT_FOUND, f"no codec endpoint {path}; "
                        "use /encode or /decode")
            return
        try:
            payloads = json_format.Parse(body, Payloads())
            result = Payloads(payloads=[transform(p) for p in payloads.payloads])
        except json_format.ParseError as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"not a Payloads JSON document: {exc}")
            return
        except PayloadDecryptionError as exc:
            self._error(HTTPStatus.BAD_REQUEST, str(exc))
            return
        answer = json_format.MessageToJson(result, indent=None).encode()
        self._reply(HTTPStatus.OK, answer, "application/json")

    def _error(self, status: HTTPStatus, message: str) -> None:
        self._reply(status, json.dumps({"error": message}).encode(), "application/json")

    def _reply(self, status: HTTPStatus, body: bytes, content_type: str | None = None) -> None:
        self.send_response(status)
        origin = self.headers.get("Origin")
        if origin and origin in self.server.cors_origins:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Credentials", "true")
            self.send_header("Access-Control-Allow-Methods", "POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers",
                             "Content-Type, X-Namespace, Authorization")
            self.send_header("Vary", "Origin")
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.info("%s %s", self.address_string(), format % args)
