"""mTLS for real: the dev server behind a TLS proxy that requires a client certificate.

Worker and CLI get the connection the way Temporal's own CLI does, from TEMPORAL_*
variables (temporalio.envconfig); an order submitted over mTLS completes, and a client
without its certificate is refused with one line.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from x509_helpers import make_csr, make_key

from certorder.keys.envelope import new_kek_text
from tests.servers.mtls_proxy import MtlsFiles, MtlsProxy, write_mtls_files


@pytest.fixture
def mtls(temporal_env, tmp_path):
    files = write_mtls_files(tmp_path)
    with MtlsProxy(files, temporal_env.client.service_client.config.target_host) as proxy:
        yield files, proxy


def _env(files: MtlsFiles, proxy: MtlsProxy, tmp: Path, *, client_cert: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CERTORDER_", "TEMPORAL_"))}
    env.update(TEMPORAL_ADDRESS=proxy.address, TEMPORAL_TLS_SERVER_CA_CERT_PATH=str(files.ca),
               CERTORDER_DATA_DIR=str(tmp / "data"), CERTORDER_TASK_QUEUE=tmp.name,
               CERTORDER_KEK=new_kek_text())
    if client_cert:
        env.update(TEMPORAL_TLS_CLIENT_CERT_PATH=str(files.client_cert),
                   TEMPORAL_TLS_CLIENT_KEY_PATH=str(files.client_key))
    return env


def _cli(env: dict, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "certorder.cli.main", *argv], env=env,
                          cwd=cwd, capture_output=True, text=True, timeout=60)


def test_an_order_submitted_over_mtls_completes(mtls, tmp_path):
    files, proxy = mtls
    env = _env(files, proxy, tmp_path, client_cert=True)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen([sys.executable, "-m", "certorder.cli.main", "worker"],
                                  env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while b"worker polling" not in log.read_bytes():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        (tmp_path / "www.csr").write_text(make_csr(make_key("p256"), ["mtls.example.test"]))
        order_id = f"mtls-{uuid.uuid4().hex[:12]}"
        submitted = _cli(env, "order", "submit", "--csr", "www.csr", "--order-id", order_id,
                         "--wait", cwd=tmp_path)
        assert submitted.returncode == 0, submitted
        assert submitted.stdout.splitlines()[-1].startswith(f"{order_id}: ACTIVE")
        assert proxy.authenticated >= 2  # the worker's and the CLI's connections
    finally:
        worker.terminate()
        worker.wait(40)
    assert worker.returncode == 0, log.read_text()


def test_a_client_without_its_certificate_gets_one_clear_line(mtls, tmp_path):
    files, proxy = mtls
    result = _cli(_env(files, proxy, tmp_path, client_cert=False), "order", "list",
                  cwd=tmp_path)
    assert result.returncode == 1, result
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"certorder: error: cannot connect to Temporal at "
                                    f"{proxy.address}"), result.stderr
    assert "certificate" in result.stderr, result.stderr
    assert proxy.authenticated == 0
