"""The dev server's process and its hold on the data directory.

One server per ``temporal.db``: an flock on ``temporal-dev.lock``, whose descriptor
the server process inherits, so the kernel releases it when the server exits,
however it exits; the file names the server's pid for the message when it does not.
The server also dies with its parent, and writes its files owner-only.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from certorder.data_dir import PRIVATE_FILE_MODE

#: How long a start waits for a previous server still holding the data directory.
WAIT_FOR_PREVIOUS_SECONDS = 30.0


class DataDirLockedError(Exception):
    """A previous server did not release the data directory in time (one line)."""


def lock_data_dir(lock_path: Path, db_path: Path, on_wait: Callable[[str], None] | None,
                  wait_seconds: float = WAIT_FOR_PREVIOUS_SECONDS) -> int:
    """Lock the data directory (flock); wait while a previous server holds it.

    Returns the locked descriptor: pass it to the server's process, then close the
    caller's copy, so that the lock lasts exactly as long as the server.

    A `certorder dev` killed with SIGKILL takes its server down (parent-death
    signal), but the server needs a moment to exit and until then still holds
    ``temporal.db``: starting another at once failed with SQLITE_BUSY.
    """
    lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)
    deadline, told = time.monotonic() + wait_seconds, False
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lock
        except BlockingIOError:
            pass
        holder = os.pread(lock, 32, 0).decode(errors="replace").strip() or "?"
        if time.monotonic() >= deadline:
            os.close(lock)
            raise DataDirLockedError(
                f"a previous Temporal dev server (pid {holder}) still holds {db_path} "
                f"after {wait_seconds:g}s; stop it (kill {holder}) and start again"
            )
        if not told and on_wait is not None:
            on_wait(f"waiting for the previous Temporal dev server (pid {holder}) to exit")
            told = True
        time.sleep(0.1)


def prepare_child() -> None:
    """Runs in the child before exec: private files, and no orphan server."""
    os.umask(0o077)
    if sys.platform.startswith("linux"):
        _die_with_parent()


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM it when its parent dies, so that a
    `certorder dev` killed with SIGKILL does not leave a server holding the port and
    the database."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
