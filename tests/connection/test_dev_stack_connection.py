"""`certorder dev` runs its worker against its own server, whatever TEMPORAL_* variables
say (they describe the user's cluster, for the other commands)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.servers.ports import free_port as closed_port


def test_certorder_dev_ignores_a_cluster_configured_in_temporal_variables(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERTORDER_", "TEMPORAL_"))}
    env.update(CERTORDER_DATA_DIR=str(tmp_path / "data"), CERTORDER_DEV_PORT=str(closed_port()),
               CERTORDER_DEV_UI_PORT=str(closed_port()),
               # Temporal Cloud for everything else: TLS, an API key, another namespace.
               TEMPORAL_ADDRESS="127.0.0.1:1", TEMPORAL_NAMESPACE="prod.acct",
               TEMPORAL_API_KEY="not-for-the-dev-server")
    process = subprocess.Popen([sys.executable, "-m", "certorder.cli.main", "dev"], env=env,
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (line := process.stderr.readline()):
            lines.append(line)
            if "worker running" in line:
                break
        assert "worker running" in "".join(lines), "".join(lines)
        time.sleep(1)  # the worker's own connection comes right after the line
        assert process.poll() is None, "".join(lines) + process.stderr.read()
        process.send_signal(signal.SIGINT)
        _, rest = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, "".join(lines) + rest
    assert "error" not in ("".join(lines) + rest).lower()
