"""A loopback HTTP proxy in front of a real server: counts requests per path, and can
answer chosen paths with ``503`` (an outage of one endpoint) instead of forwarding.

Used to count what a real CA (``cfssl serve``) was asked to do, e.g. how many
certificates it signed, while one of its endpoints is down.
"""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

from simulators.common.http_server import HOST


class FaultProxy:
    """``http://127.0.0.1:<port>`` forwarding to ``upstream`` (also loopback)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests: Counter[str] = Counter()
        #: Paths answered ``503`` instead of being forwarded (e.g. ``/api/v1/cfssl/info``).
        self.failing: set[str] = set()
        self._lock = threading.Lock()
        self._http = httpx.Client(timeout=10)
        self._server = ThreadingHTTPServer((HOST, 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._http.close()

    def count(self, path: str) -> int:
        with self._lock:
            return self.requests[path]

    def _forward(self, path: str, body: bytes, content_type: str | None) -> httpx.Response | None:
        with self._lock:
            self.requests[path] += 1
            down = path in self.failing
        if down:
            return None
        headers = {"Content-Type": content_type} if content_type else {}
        return self._http.post(self.upstream + path, content=body, headers=headers)


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet."""

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = proxy._forward(self.path, body, self.headers.get("Content-Type"))
            status, payload = (503, b"") if answer is None else (answer.status_code, answer.content)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

    return Handler
