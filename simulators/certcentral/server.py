"""The CertCentral simulator: a real HTTP server on 127.0.0.1, and its controls.

Python API (the ``certcentral_sim`` test fixture yields one of these)::

    sim = CertCentralSimulator().start()
    sim.base_url, sim.api_key, sim.root_pem, sim.orders_placed
    sim.set_scenario("pending", polls=2)      # see simulators.certcentral.scenario
    sim.fail_next(429, count=1, retry_after=7)  # or 503
    sim.go_offline(); sim.go_online()          # refuse connections, same port after
    sim.delay_seconds = 2.0                    # answer slowly (client timeouts);
    sim.delay_method = "POST"                  # ... only for this method
    sim.order_retry_after = 17                 # Retry-After on Order info answers
    sim.approve(order_id)                      # an administrator approves
    sim.age_orders(days=30)                    # orders so far were placed 30 days ago
    sim.stop()

The admin API under ``/_sim/`` does the same over HTTP (for demos): ``GET state``,
``GET root``, ``POST scenario`` ``{"kind","polls","reason"}``, ``POST fault``
``{"status","count","retry_after"}``.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from http.server import ThreadingHTTPServer
from typing import Any

from simulators.certcentral import errors
from simulators.certcentral.account import Account
from simulators.certcentral.ca import SimulatorCA, pem
from simulators.certcentral.handler import API, Handler, pause
from simulators.certcentral.scenario import Fault, Scenario
from simulators.common.http_server import HOST, LoopbackService


class CertCentralSimulator(LoopbackService):
    """A strict CertCentral Services API v2 on ``127.0.0.1``.

    :param port: 0 picks a free port; it is kept across :meth:`go_offline` /
        :meth:`go_online`.
    :param api_key: the key clients must send in ``X-DC-DEVKEY`` (random by default).
    """

    def __init__(self, port: int = 0, api_key: str | None = None) -> None:
        super().__init__(port)
        self.api_key = api_key or secrets.token_urlsafe(24)
        self.api_keys = {self.api_key}
        self.ca = SimulatorCA()
        self.account = Account(self.ca)
        self.scenario = Scenario()
        self.delay_seconds = 0.0
        #: Delay only requests with this HTTP method (``None``: all requests).
        self.delay_method: str | None = None
        #: ``Retry-After`` (seconds) sent with Order info answers, to pace pollers.
        self.order_retry_after: int | None = None
        #: API requests received, by HTTP method (counted before any delay).
        self.requests_received: Counter[str] = Counter()
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def _make_server(self, address: tuple[str, int]) -> ThreadingHTTPServer:
        server = ThreadingHTTPServer(address, Handler)
        server.daemon_threads = True
        server.simulator = self  # type: ignore[attr-defined]
        return server

    # -- what tests read -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The Services API root, like ``https://www.digicert.com/services/v2/``."""
        return f"http://{HOST}:{self.port}{API}"

    @property
    def root_pem(self) -> str:
        """The simulator's root CA certificate, the trust anchor of every chain."""
        return pem(self.ca.root)

    @property
    def orders_placed(self) -> int:
        """How many orders were placed successfully (``201`` answers)."""
        return self.account.orders_placed

    # -- controls --------------------------------------------------------------------

    def set_scenario(self, kind: str = "issue", polls: int = 0, reason: str | None = None) -> None:
        """How orders placed from now on behave (see :mod:`simulators.certcentral.scenario`)."""
        extra = {"reason": reason} if reason else {}
        self.scenario = Scenario(kind=kind, polls=polls, **extra)  # type: ignore[arg-type]

    def fail_next(self, status: int, count: int = 1, retry_after: int | None = None) -> None:
        """Answer the next ``count`` API requests with 429 or 503 (``Retry-After`` if given)."""
        if status not in (429, 503):
            raise ValueError("fail_next supports 429 and 503")
        with self._lock:
            self._faults.append(Fault(status=status, count=count, retry_after=retry_after))

    def approve(self, order_id: int) -> None:
        """An administrator approves the order's pending request."""
        self.account.decide_request(self.account.get(order_id).request_id, "approved", None)

    def age_orders(self, days: int) -> None:
        """Make every order placed so far ``days`` older (``date_created``): the history of
        an account that has ordered for years."""
        self.account.age_orders(days)

    def before_api_request(self, method: str) -> None:
        """Called by the handler first: apply the delay and any queued fault.

        A delayed request is still carried out after the delay, even if the client has
        given up: that is how an answer gets lost after the CA acted.
        """
        with self._lock:
            self.requests_received[method] += 1
        if self.delay_method in (None, method):
            pause(self.delay_seconds)
        with self._lock:
            fault = self._faults[0] if self._faults else None
            if fault is not None:
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.pop(0)
        if fault is not None:
            if fault.status == 429:
                raise errors.rate_limited(fault.retry_after)
            raise errors.unavailable(fault.retry_after)

    def admin(self, method: str, path: str, body: Any) -> Any:
        """The ``/_sim/`` admin API."""
        body = body if isinstance(body, dict) else {}
        try:
            if (method, path) == ("GET", "state"):
                return {
                    "orders_placed": self.orders_placed,
                    "scenario": self.scenario.kind,
                    "orders": {o.id: o.status for o in self.account.orders.values()},
                }
            if (method, path) == ("GET", "root"):
                return {"pem": self.root_pem}
            if (method, path) == ("POST", "scenario"):
                self.set_scenario(
                    body.get("kind", "issue"), int(body.get("polls", 0)), body.get("reason")
                )
                return {"scenario": self.scenario.kind, "polls": self.scenario.polls}
            if (method, path) == ("POST", "fault"):
                self.fail_next(
                    int(body.get("status", 503)), int(body.get("count", 1)), body.get("retry_after")
                )
                return {"queued": True}
        except (TypeError, ValueError) as exc:
            raise errors.ApiError(400, "invalid_param|admin", str(exc)) from None
        raise errors.not_found("route")
