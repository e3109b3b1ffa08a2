"""The simulated Dogtag CA server: HTTPS on 127.0.0.1, with scenario controls.

::

    sim = DogtagSimulator(workdir).start()
    sim.base_url        # https://127.0.0.1:<port>
    sim.tls.root_pem    # CA bundle that verifies the server and every issued chain
    sim.tls.agent_cert, sim.tls.agent_key    # an agent's TLS client certificate
    sim.decide_after_polls(2, "approve")     # new requests: approved after 2 reads
    sim.fail_next(3)                         # next 3 requests answered 503
    sim.go_offline(); sim.go_online()        # refuse connections, then accept again
    sim.delay_answers("POST", "/ca/rest/certrequests", 1.0)   # lose answers (timeouts)
    sim.enrollment_count                     # requests created so far
    sim.stop()
"""

from __future__ import annotations

import fnmatch
import socket
import ssl
import sys
import threading
import time
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from simulators.common.http_server import HOST, LoopbackService
from simulators.dogtag.crypto import SigningCA, pem, write_tls_files
from simulators.dogtag.engine import Engine
from simulators.dogtag.handler import DogtagHandler

DECISIONS = ("approve", "reject", "cancel")


class _TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, context: ssl.SSLContext, sim: DogtagSimulator) -> None:
        self.context = context
        self.sim = sim
        super().__init__(address, DogtagHandler)

    def get_request(self):
        sock, addr = super().get_request()
        tls = self.context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        with self.sim._lock:
            self.sim._open.add(tls)
        return tls, addr

    def shutdown_request(self, request) -> None:
        with self.sim._lock:
            self.sim._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        # A client that gave up (timed out, or its worker was killed) before a delayed
        # answer is not a simulator fault; anything else is still reported.
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        """Close the listening socket, then cut every open connection, as a stopped
        Tomcat would (keep-alive included)."""
        super().server_close()
        with self.sim._lock:
            open_now, self.sim._open = list(self.sim._open), set()
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class DogtagSimulator(LoopbackService):
    """A strict stand-in for a Dogtag CA's REST API (see the module docstring)."""

    def __init__(self, workdir: Path, port: int = 0) -> None:
        super().__init__(port)
        self.root = SigningCA.self_signed("CN=Simulated Dogtag Root CA,O=EXAMPLE")
        self.host_ca = self.root.sub_ca("CN=CA Signing Certificate,O=EXAMPLE")
        self.engine = Engine(self.host_ca)
        self.tls = write_tls_files(Path(workdir), self.host_ca, self.root, HOST)
        self.access_log: list[str] = []
        self.calls: list[tuple[str, str]] = []
        self.agent_calls = 0
        self._failures: list[int] = []
        self._open: set = set()
        self._delay: tuple[str, str, float] = ("", "", 0.0)
        #: ``False`` plays a Dogtag older than 10.3, which has no ``/ca/rest/authorities``.
        self.authorities = True
        self._lock = threading.Lock()

    def _make_server(self, address: tuple[str, int]) -> _TLSServer:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.tls.server_cert, self.tls.server_key)
        # Tomcat's clientAuth="want": a certificate is asked for but optional; one that is
        # sent must chain to the trust store, or the handshake fails.
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(cadata=pem(self.root.cert) + pem(self.host_ca.cert))
        return _TLSServer(address, context, self)

    @property
    def base_url(self) -> str:
        return f"https://{HOST}:{self.port}"

    @property
    def root_pem(self) -> str:
        """PEM of the root CA that issued the host CA (trust anchor for chains and TLS)."""
        return pem(self.root.cert)

    @property
    def ca_bundle_file(self) -> Path:
        """PEM file with the root: what a client's ``ca_bundle_file`` should be."""
        return self.tls.root_pem

    @property
    def client_cert_file(self) -> Path:
        """PEM certificate of an agent the simulator trusts."""
        return self.tls.agent_cert

    @property
    def client_key_file(self) -> Path:
        """The agent's PEM private key."""
        return self.tls.agent_key

    @property
    def host_authority_id(self) -> str:
        return self.engine.host.aid

    # -- scenario controls ----------------------------------------------------------------

    def set_auto_issue(self, profile_id: str, auto: bool = True) -> None:
        """Make a profile issue at submission (as one with an authenticator would)."""
        self.engine.profiles[profile_id].auto_issue = auto

    def hold_pending(self) -> None:
        """New requests stay pending until an agent acts (Dogtag's default)."""
        self.engine.default_fate = None

    def decide_after_polls(self, polls: int, decision: str = "approve", reason: str | None = None):
        """New requests: after ``polls`` status reads, an agent approves/rejects/cancels."""
        if decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}")
        self.engine.default_fate = (polls, decision, reason)

    def reject_submissions(self, reason: str | None) -> None:
        """Reject new requests at submission with ``reason`` (``None``: stop doing so)."""
        self.engine.reject_on_submit = reason

    def agent_decides(self, request_id: str, decision: str, notes: str | None = None) -> None:
        """An agent acts on a pending request now."""
        self.engine.act(self.engine.find(request_id), decision, notes=notes)

    def fail_next(self, count: int, status: int = 503) -> None:
        """Answer the next ``count`` HTTP requests with ``status`` and an HTML body."""
        with self._lock:
            self._failures.extend([status] * count)

    def delay_answers(self, method: str, path: str, seconds: float) -> None:
        """Hold back the answer to ``method path`` for ``seconds`` *after* acting on it
        (``seconds=0`` stops): the client times out although the CA did the work.
        ``path`` may hold ``*`` wildcards (``/ca/rest/agent/certrequests/*/approve``)."""
        with self._lock:
            self._delay = (method, path, seconds)

    def delay_answer(self, method: str, path: str) -> None:
        with self._lock:
            wanted_method, wanted_path, seconds = self._delay
        if seconds and method == wanted_method and fnmatch.fnmatchcase(path, wanted_path):
            time.sleep(seconds)

    def take_injected_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def record_call(self, method: str, path: str) -> None:
        with self._lock:
            self.calls.append((method, path))

    @property
    def enrollment_count(self) -> int:
        """How many certificate requests the CA has created."""
        return len(self.engine.requests)

    def request_status(self, request_id: str) -> str:
        return self.engine.find(request_id).status

    def apply_scenario(self, command: dict[str, Any]) -> dict[str, Any]:
        """The admin endpoint ``POST /sim/scenario`` (for demos): ``{"action": ...}``."""
        action = command["action"]
        if action == "auto_issue":
            self.set_auto_issue(command.get("profile", "caServerCert"), bool(command["value"]))
        elif action == "hold_pending":
            self.hold_pending()
        elif action == "decide_after_polls":
            self.decide_after_polls(
                int(command["polls"]), command["decision"], command.get("reason")
            )
        elif action == "reject_submissions":
            self.reject_submissions(command.get("reason"))
        elif action == "fail_next":
            self.fail_next(int(command["count"]), int(command.get("status", 503)))
        elif action != "status":
            raise ValueError(f"unknown action {action!r}")
        return {"enrollments": self.enrollment_count, "calls": len(self.calls)}
