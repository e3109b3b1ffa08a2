"""The worker as the image runs it (same wheel, same entry point, secrets from files)
completes an order against the dev server, and its HEALTHCHECK sees it polling."""

from __future__ import annotations

import base64
import json
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from installed_worker import InstalledWorker, image_command, install_like_the_image
from x509_helpers import make_csr, make_key

from certorder.codec import ENCODING
from certorder.keys.envelope import Kek
from certorder.settings import Settings
from certorder.store import CertificateStore
from certorder.store.plugin_state import StoreSharedState
from certorder.temporal_client import connect
from certorder.workflows.models import OrderInput, OrderStatus
from certorder.workflows.order_workflow import CertificateOrderWorkflow

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def image_bin(tmp_path_factory):
    return install_like_the_image(tmp_path_factory.mktemp("image"))


@pytest.fixture(scope="module")
def compose_secrets(tmp_path_factory) -> Path:
    """The secret files docker/make-secrets.sh writes (run on a copy of docker/)."""
    copy = tmp_path_factory.mktemp("docker")
    script = copy / "make-secrets.sh"
    script.write_bytes((ROOT / "docker" / "make-secrets.sh").read_bytes())
    subprocess.run(["sh", str(script)], check=True, capture_output=True)
    return copy / "secrets"


def _worker(image_bin, temporal_env, tmp_path, queue: str, compose_secrets: Path,
            ) -> InstalledWorker:
    address = temporal_env.client.service_client.config.target_host
    return InstalledWorker(
        image_bin, tmp_path,
        settings={"CERTORDER_TEMPORAL_ADDRESS": address, "CERTORDER_TASK_QUEUE": queue,
                  "CERTORDER_DATA_DIR": str(tmp_path / "data")},
        # As compose mounts them: the store URL differs (no PostgreSQL service here).
        secrets={"CERTORDER_STORE_URL": f"sqlite:///{tmp_path / 'certorder.db'}",
                 "CERTORDER_LOCAL_CA_PASSPHRASE":
                     (compose_secrets / "local_ca_passphrase").read_text().strip(),
                 "CERTORDER_PAYLOAD_KEYS": (compose_secrets / "payload_keys").read_text(),
                 "CERTORDER_KEK": (compose_secrets / "kek").read_text().strip()},
    )  # fmt: skip


def test_the_installed_package_is_the_wheel_without_the_dev_extra(image_bin, tmp_path):
    probe = ("import certorder, importlib.metadata as m; print(certorder.__file__); "
             "print(m.distribution('certorder').read_text('direct_url.json'))")
    result = InstalledWorker(image_bin, tmp_path, {}, {}).run(["python", "-c", probe])
    module_file, direct_url = result.stdout.splitlines()
    assert module_file.startswith(str(image_bin.parent / "lib")), module_file
    assert '"editable": true' not in direct_url
    assert not (image_bin / "temporal").exists()


async def test_the_image_command_completes_an_order_and_passes_its_healthcheck(
        image_bin, temporal_env, tmp_path, compose_secrets):
    queue = f"tq-image-{uuid.uuid4().hex}"
    worker = _worker(image_bin, temporal_env, tmp_path, queue, compose_secrets)
    health = worker.run(image_command("HEALTHCHECK"))
    assert health.returncode == 1, health
    assert health.stderr.count("\n") == 1 and "no worker on" in health.stderr
    worker.start()
    try:
        csr = make_csr(make_key("p256"), ["image.example.test"])
        # A client with the same keys (the plain test client could not read the result).
        client = await connect(Settings(
            temporal_address=temporal_env.client.service_client.config.target_host,
            payload_keys=json.loads((compose_secrets / "payload_keys").read_text())))
        handle = await client.start_workflow(
            CertificateOrderWorkflow.run,
            OrderInput(order_meta={"request_type": "simple-cmc", "request_data": csr,
                                   "plugin_name": "local-ca"}),
            id=f"order-{uuid.uuid4().hex}", task_queue=queue)
        doc = await handle.result(rpc_timeout=None)
        assert doc.status is OrderStatus.ACTIVE, doc
        # The payload keys came from their secret file: the worker's results (the
        # certificate among them) reached Temporal encrypted.
        history = await handle.fetch_history()
        # The local CA's calls are local activities: their results are in markers.
        completed = [e.marker_recorded_event_attributes.details["result"].payloads
                     for e in history.events
                     if e.marker_recorded_event_attributes.marker_name == "core_local_activity"]
        assert completed and all(p.metadata["encoding"] == ENCODING
                                 for payloads in completed for p in payloads)
        # The CA key is in the store, sealed by the KEK, and the passphrase (from its
        # secret file) encrypts it inside that seal; no key is in the data directory.
        assert not [p for p in (tmp_path / "data").rglob("*key*") if p.is_file()]
        kek = Kek(base64.b64decode((compose_secrets / "kek").read_text().strip()))
        store = CertificateStore.open(f"sqlite:///{tmp_path / 'certorder.db'}")
        try:
            sealed = StoreSharedState(store.engine, kek, "local-ca").get_secret("ca/root")
        finally:
            store.close()
        assert sealed.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        deadline = time.monotonic() + 30
        while (health := worker.run(image_command("HEALTHCHECK"))).returncode != 0:
            assert time.monotonic() < deadline, health
            time.sleep(0.2)
        assert health.stdout.startswith("worker ") and queue in health.stdout
    finally:
        worker.stop()
    assert worker.process.returncode == 0, worker.log.read_text()
