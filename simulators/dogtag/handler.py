"""HTTP plumbing of the simulator: TLS handshake per connection, sessions, agent
authentication, media types, failure injection, and dispatch to :mod:`routes`."""

from __future__ import annotations

import json
import secrets
import ssl
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from simulators.dogtag import routes, shapes
from simulators.dogtag.engine import DogtagError

SESSION_COOKIE = "JSESSIONID"


class DogtagHandler(BaseHTTPRequestHandler):
    """Serves one connection; ``self.server.sim`` is the :class:`DogtagSimulator`."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    wbufsize = -1
    server_version = "Apache-Coyote/1.1"

    def setup(self) -> None:
        super().setup()
        # The handshake runs here, in the connection's thread, so one slow or failing
        # client cannot stall the accept loop.
        try:
            self.request.do_handshake()
        except (ssl.SSLError, OSError):
            self.close_connection = True
            self._handshake_failed = True
        else:
            self._handshake_failed = False

    def handle(self) -> None:
        if not self._handshake_failed:
            super().handle()

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        self.server.sim.access_log.append(format % args)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    # -----------------------------------------------------------------------------------

    def _dispatch(self, method: str) -> None:
        sim = self.server.sim
        url = urlsplit(self.path)
        raw = self._read_body()
        sim.record_call(method, url.path)
        if url.path == "/sim/scenario" and method == "POST":
            self._scenario(raw)
            return
        injected = sim.take_injected_failure()
        if injected is not None:
            self._send(injected, b"<html><body>Service Unavailable</body></html>", "text/html")
            return
        session, new_session = self._session()
        headers = {"Set-Cookie": f"{SESSION_COOKIE}={session}; Path=/ca; Secure; HttpOnly"}
        try:
            reply = self._route(method, url.path, dict(parse_qsl(url.query)), raw, session)
        except DogtagError as exc:
            body = json.dumps(shapes.error_body(exc.class_name, exc.code, exc.message))
            self._send(exc.code, body.encode(), "application/json", headers if new_session else {})
            return
        if reply is None:
            return
        # The CA has acted; an answer that arrives too late is how a worker loses it.
        sim.delay_answer(method, url.path)
        reply.headers.update(headers if new_session else {})
        self._send_reply(reply)

    def _route(self, method, path, query, raw, session) -> routes.Reply | None:
        sim = self.server.sim
        allowed = False
        for route_method, pattern, agent_only, handler in routes.ROUTES:
            match = pattern.match(path)
            if not match or (path.startswith("/ca/rest/authorities") and not sim.authorities):
                continue
            allowed = True
            if route_method != method:
                continue
            if agent_only:
                self._require_agent()
            if not self._acceptable(handler):
                self._send(406, b"Not Acceptable", "text/plain")
                return None
            body = None
            if method == "POST" and raw:
                ctype = self.headers.get("Content-Type", "")
                if not ctype.split(";")[0].strip().lower() == "application/json":
                    self._send(415, b"Unsupported Media Type", "text/plain")
                    return None
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise DogtagError(
                        400, shapes.BAD_REQUEST, "Unable to parse request body: invalid JSON"
                    ) from None
            call = routes.Call(
                method=method,
                params=match.groupdict(),
                query=query,
                body=body,
                session=session,
                accept=self.headers.get("Accept", "*/*"),
                engine=sim.engine,
                base_url=sim.base_url,
                desk=sim.revocations,
            )
            return handler(call)
        if allowed:
            self._send(405, b"Method Not Allowed", "text/plain")
        else:
            self._send(404, b"Not Found", "text/plain")
        return None

    def _acceptable(self, handler) -> bool:
        accept = self.headers.get("Accept")
        if accept is None or "*/*" in accept or "application/*" in accept:
            return True
        if handler in (routes.authority_cert, routes.authority_chain):
            return True
        return "application/json" in accept

    def _require_agent(self) -> None:
        # Untrusted client certificates never get here: the TLS handshake refuses them,
        # as Tomcat does with its trust store. What is left is "no certificate at all".
        # Dogtag's AuthMethodInterceptor answers a request without a principal so.
        if not self.request.getpeercert():
            raise DogtagError(403, shapes.FORBIDDEN, "Anonymous access not allowed.")
        self.server.sim.agent_calls += 1

    def _session(self) -> tuple[str, bool]:
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == SESSION_COOKIE and value:
                return value, False
        return secrets.token_hex(16).upper(), True

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _scenario(self, raw: bytes) -> None:
        try:
            result = self.server.sim.apply_scenario(json.loads(raw or b"{}"))
        except (ValueError, TypeError, KeyError) as exc:
            self._send(400, json.dumps({"error": str(exc)}).encode(), "application/json")
            return
        self._send(200, json.dumps(result).encode(), "application/json")

    def _send_reply(self, reply: routes.Reply) -> None:
        if reply.status == 204:
            self._send(204, b"", None, reply.headers)
            return
        body = reply.body
        if reply.content_type == "application/json":
            data = json.dumps(body).encode()
        elif isinstance(body, str):
            data = body.encode()
        else:
            data = body
        self._send(reply.status, data, reply.content_type, reply.headers)

    def _send(self, status: int, data: bytes, ctype: str | None, headers=None) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if data:
            self.wfile.write(data)
