"""Helpers for managed-certificate tests: start one on a test worker, poll its state,
check that deployed files belong together."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from certorder.workflows.managed_models import (
    CertificateSpec,
    ManagedCertificate,
    ManagedInput,
    RenewalPolicy,
    managed_workflow_id,
)
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow

#: 1/20000 of a one-day certificate: a renewal about every 4.3 s on the dev server.
FAST = RenewalPolicy(renew_at=1 / 20000, retry_initial_seconds=1, retry_max_seconds=2)


def spec(deploy_dir: Path | None = None, **changes) -> CertificateSpec:
    changes = {"dns_names": ["web.example.test"], "validity_days": 1, "renewal": FAST,
               **changes}
    return CertificateSpec(deploy_dir=str(deploy_dir) if deploy_dir else None, **changes)


async def start(client, task_queue: str, certificate_spec: CertificateSpec,
                name: str | None = None, call_timeout_seconds: float = 30):
    name = name or f"web-{uuid.uuid4().hex[:8]}"
    return await client.start_workflow(
        ManagedCertificateWorkflow.run,
        ManagedInput(name=name, spec=certificate_spec, call_timeout_seconds=call_timeout_seconds),
        id=managed_workflow_id(name), task_queue=task_queue)


async def wait_for(handle, predicate: Callable[[ManagedCertificate], bool],
                   timeout: float = 60) -> ManagedCertificate:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        # A query right after continue-as-new may reach the new run before its first task.
        try:
            state = await handle.query(ManagedCertificateWorkflow.state)
        except Exception:  # noqa: BLE001 - retried until the deadline
            state = None
        if state is not None and predicate(state):
            return state
        if loop.time() > deadline:
            raise AssertionError(f"condition not reached; last state: {state}")
        await asyncio.sleep(0.1)


def spki(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER,
                                   serialization.PublicFormat.SubjectPublicKeyInfo)


def deployed_pair_matches(live: Path) -> tuple[bool, str]:
    """Read key and certificate through one resolution of ``current``, as a server that
    opens the directory would; (they match, the version directory)."""
    version_dir = Path(os.path.realpath(live))
    key = serialization.load_pem_private_key((version_dir / "privkey.pem").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((version_dir / "cert.pem").read_bytes())
    full = x509.load_pem_x509_certificates((version_dir / "fullchain.pem").read_bytes())
    return (spki(key.public_key()) == spki(cert.public_key()) and full[0] == cert,
            version_dir.name)
