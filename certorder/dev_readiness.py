"""Whether the local Temporal dev server is up: ports free before, a listener and a served
namespace after (see :class:`certorder.dev_stack.DevServer`).

A listening socket comes a little before the default namespace is served, so
``certorder dev`` checks both: :func:`accepts_connections` while the server starts,
:func:`wait_until_serving` before the worker connects.
"""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

from certorder.settings import Settings

__all__ = [
    "LOOPBACK",
    "DevServerError",
    "accepts_connections",
    "last_log_line",
    "port_is_free",
    "wait_until_serving",
]

#: The interface both the frontend and the UI bind to: loopback only, never the LAN.
LOOPBACK = "127.0.0.1"


class DevServerError(Exception):
    """The dev server cannot start or did not become ready; one line for the user."""


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


def accepts_connections(port: int, host: str = LOOPBACK) -> bool:
    """Whether a listener on ``host:port`` accepts a TCP connection now."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def last_log_line(log_path: Path) -> str:
    """The server log's last line, for a one-line error when the server exits."""
    try:
        lines = log_path.read_text(errors="replace").strip().splitlines()
    except OSError:
        lines = []
    return lines[-1].strip() if lines else f"no output (see {log_path})"


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
