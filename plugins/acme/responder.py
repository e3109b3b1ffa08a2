"""The built-in http-01 responder: a small threaded HTTP server for ACME validations.

The CA fetches ``http://<name>/.well-known/acme-challenge/<token>`` and expects the
key authorization as the body (RFC 8555 §8.3). The token map is shared by every order
of the plugin, so one listener serves them all. It lives in the worker process: with
several worker processes behind one address, use a shared ``webroot`` instead.
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = logging.getLogger(__name__)

PREFIX = "/.well-known/acme-challenge/"


class _Handler(BaseHTTPRequestHandler):
    server: _ResponderServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        token = self.path[len(PREFIX) :] if self.path.startswith(PREFIX) else None
        body = self.server.tokens.get(token) if token else None
        if body is None:
            self.send_error(404)
            return
        data = body.encode("ascii")
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        LOG.debug("http-01 responder: " + format, *args)


class _ResponderServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], tokens: dict[str, str]) -> None:
        super().__init__(address, _Handler)
        self.tokens = tokens

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        # A validator that hangs up early is routine; don't print tracebacks for it.
        LOG.debug("http-01 responder: error serving %s", client_address, exc_info=True)


class Http01Responder:
    """Serves key authorizations by token; the listener starts on the first token."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self._tokens: dict[str, str] = {}
        self._lock = threading.Lock()
        self._server: _ResponderServer | None = None
        self._thread: threading.Thread | None = None

    def add(self, token: str, key_authorization: str) -> None:
        """Serve ``key_authorization`` for ``token``, starting the listener if needed.

        :raises OSError: the address cannot be bound.
        """
        with self._lock:
            self._tokens[token] = key_authorization
            if self._server is None:
                self._start()

    def remove(self, token: str) -> None:
        """Stop serving ``token`` (unknown tokens are ignored)."""
        with self._lock:
            self._tokens.pop(token, None)

    def serving(self, token: str) -> bool:
        """Whether ``token`` is currently served."""
        return token in self._tokens

    def _start(self) -> None:
        server = _ResponderServer((self.host, self.port), self._tokens)
        thread = threading.Thread(
            target=server.serve_forever, name=f"acme-http01-{self.port}", daemon=True
        )
        thread.start()
        self._server, self._thread = server, thread

    def close(self) -> None:
        """Stop the listener; a later :meth:`add` starts it again."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)
