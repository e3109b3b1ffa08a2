"""A test CA's subprocess: started with its output in a log file, stopped for sure."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def spawn(
    argv: list[str], workdir: Path, log_name: str, env: dict[str, str] | None = None
) -> subprocess.Popen:
    """Start ``argv`` in ``workdir``, stdout and stderr appended to ``workdir/log_name``;
    ``env`` adds to (or overrides) this process's environment."""
    # The child inherits the log's descriptor; the parent's copy is closed at once.
    with open(workdir / log_name, "ab") as log:
        return subprocess.Popen(
            argv,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )


def stop_process(process: subprocess.Popen | None) -> None:
    """Terminate ``process`` (kill it if it ignores that for 5 s) and reap it."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
