"""A real worker in its own process (``python worker.py``), so a test can kill it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import tomli_w

from certorder.keys.envelope import new_kek_text

ROOT = Path(__file__).parents[1]


class WorkerProcess:
    """``python worker.py`` with settings written to a TOML file of its own."""

    def __init__(self, tmp: Path, *, temporal_address: str, task_queue: str,
                 enabled: list[str], plugin_options: dict[str, dict[str, Any]],
                 store_url: str, kek: str | None = None,
                 settings: dict[str, Any] | None = None) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        config = tmp / "certorder.toml"
        config.write_text(tomli_w.dumps({
            "temporal_address": temporal_address, "task_queue": task_queue,
            "data_dir": str(tmp / "data"), "store_url": store_url,
            "enabled_plugins": enabled, "plugins": plugin_options,
            # Workers refuse to start without a key-encryption key.
            "kek": kek or new_kek_text(),
            **(settings or {}),
        }))
        self._env = {k: v for k, v in os.environ.items() if not k.startswith("CERTORDER_")}
        self._env["CERTORDER_CONFIG"] = str(config)
        self.log = self._log = tmp / "worker.log"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout: float = 30) -> WorkerProcess:
        with self._log.open("wb") as log:
            self._process = subprocess.Popen([sys.executable, str(ROOT / "worker.py")],
                                             cwd=ROOT, env=self._env, stdout=log,
                                             stderr=subprocess.STDOUT)
        deadline = time.monotonic() + ready_timeout
        while b"worker polling" not in self._log.read_bytes():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{self._log.read_text()}")
            time.sleep(0.05)
        return self

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, running calls die with the process."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        self._process.wait(10)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(40)
            except subprocess.TimeoutExpired:
                self._process.kill()
