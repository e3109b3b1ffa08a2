"""A threaded HTTP(S) server on 127.0.0.1 that can go offline and come back on the same port.

Plugins must survive a CA that is down for a while: a simulator "goes offline" by closing
its listening socket (clients get "connection refused", not a timeout) and comes back on
the same port, with everything it had issued kept.
"""

from __future__ import annotations

import socketserver
import threading
from typing import Self

HOST = "127.0.0.1"
# A short poll interval keeps stop() and go_offline() fast.
_POLL_SECONDS = 0.02


class LoopbackService:
    """Runs the server a subclass builds in :meth:`_make_server`, in a background thread.

    :param port: 0 picks a free port the first time; it is kept across :meth:`stop` /
        :meth:`start`, so :meth:`go_offline` / :meth:`go_online` keep the URL.
    """

    def __init__(self, port: int = 0) -> None:
        #: The TCP port on 127.0.0.1 (stable across outages once started).
        self.port = port
        self._server: socketserver.BaseServer | None = None
        self._thread: threading.Thread | None = None

    def _make_server(self, address: tuple[str, int]) -> socketserver.BaseServer:
        """A bound, listening server for ``address`` (it is not serving yet)."""
        raise NotImplementedError

    def start(self) -> Self:
        """Listen and serve in a background thread."""
        server = self._make_server((HOST, self.port))
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_SECONDS},
            name=f"{type(self).__name__}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket (connections are then refused)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def go_offline(self) -> None:
        """Close the listening socket: clients get "connection refused"."""
        self.stop()

    def go_online(self) -> None:
        """Listen again on the same port, with all state kept."""
        if self._server is None:
            self.start()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
