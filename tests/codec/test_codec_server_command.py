"""`certorder codec-server` as a process: it serves with the configured keys, stops on
SIGTERM with exit 0, and without keys it is one line and exit 2."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.request

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload, Payloads

from certorder.codec import AesGcmCodec
from tests.servers.ports import free_port


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTORDER_")}
    return {**env, **extra}


def test_the_command_decodes_with_the_configured_keys_and_stops_cleanly(tmp_path):
    key = os.urandom(32)
    port = free_port()
    keys = json.dumps({"k1": base64.b64encode(key).decode()})
    server = subprocess.Popen(
        [sys.executable, "-m", "certorder.cli.main", "codec-server", "--port", str(port)],
        env=_env(CERTORDER_PAYLOAD_KEYS=keys), cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        banner = server.stdout.readline()
        assert banner.startswith(f"codec server on http://127.0.0.1:{port}"), banner
        sealed = AesGcmCodec({"k1": key}, "k1").encrypt(
            Payload(metadata={"encoding": b"json/plain"}, data=b'"hello"'))
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/decode", method="POST",
            data=json_format.MessageToJson(Payloads(payloads=[sealed])).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            [plain] = json_format.Parse(response.read(), Payloads()).payloads
        assert plain.data == b'"hello"'
    finally:
        server.terminate()
        deadline = time.monotonic() + 10
        while server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert server.returncode == 0, server.stderr.read()


def test_without_keys_it_is_one_line():
    result = subprocess.run([sys.executable, "-m", "certorder.cli.main", "codec-server"],
                            env=_env(), capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("certorder: error: no payload_keys configured")
