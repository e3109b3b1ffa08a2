"""The client needs nothing but Temporal: with ``certorder dev`` running on one data
directory, the CLI run elsewhere (another directory, another HOME, no plugin settings,
only CERTORDER_TEMPORAL_ADDRESS) submits, is refused, manages the workers' CAs and lists
their plugins, and creates nothing of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from cli_helpers import Run, assert_one_line_error
from cryptography import x509
from test_cli_dev_stack import _start_dev, _wait_for_worker
from x509_helpers import make_csr, make_key

from certorder.store import CertificateStore


def _files_under(path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


def test_a_client_with_only_the_temporal_address_does_everything(tmp_path):
    worker_dir = tmp_path / "worker"
    worker_dir.mkdir()
    process, port = _start_dev(worker_dir)
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    (elsewhere / "www.csr").write_text(make_csr(make_key("p256"), ["www.example.test"]))
    inherited = {k: v for k, v in os.environ.items()
                 if not k.startswith(("CERTORDER_", "TEMPORAL_"))}
    env = {**inherited, "HOME": str(home), "CERTORDER_TEMPORAL_ADDRESS": f"127.0.0.1:{port}"}

    def certorder(*argv: str) -> Run:
        done = subprocess.run([sys.executable, "-m", "certorder.cli.main", *argv],
                              cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
        return Run(done.returncode, done.stdout, done.stderr)

    try:
        _wait_for_worker(process)
        plugins = certorder("plugin", "list", "--json")
        assert plugins.code == 0, plugins
        [worker] = json.loads(plugins.out)["workers"]
        assert [p["name"] for p in worker["description"]["enabled"]] == ["local-ca"]

        created = certorder("ca", "create", "--name", "Shared team CA")
        assert created.code == 0, created
        sub_ca = created.out.strip()
        listed = {ca["ca_id"]: ca for ca in json.loads(certorder("ca", "list", "--json").out)}
        assert listed[sub_ca]["name"] == "Shared team CA"

        submitted = certorder("order", "submit", "--csr", "www.csr", "--ca-id", sub_ca, "--wait")
        assert submitted.code == 0, submitted
        order_id = submitted.out.splitlines()[0]
        refused = certorder("order", "submit", "--csr", "www.csr", "--plugin", "ghost")
        assert_one_line_error(refused, 2, "rejected", "unknown plugin 'ghost'")

        # What the client created is what the worker issues from.
        store = CertificateStore.open(f"sqlite:///{worker_dir / 'data' / 'certorder.db'}")
        try:
            issued = store.get_by_order(order_id).certificate
            leaf = x509.load_pem_x509_certificate(issued.encode())
        finally:
            store.close()
        sub_cert = x509.load_pem_x509_certificate(listed[sub_ca]["ca_signing_certificate"].encode())
        assert leaf.issuer == sub_cert.subject

        assert certorder("ca", "delete", sub_ca).code == 0
        remaining = json.loads(certorder("ca", "list", "--json").out)
        assert sub_ca not in {ca["ca_id"] for ca in remaining}
    finally:
        process.terminate()
        process.communicate(timeout=60)
    assert _files_under(home) == [] and _files_under(elsewhere) == ["www.csr"]
