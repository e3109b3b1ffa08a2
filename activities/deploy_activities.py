"""Deploying a managed certificate on the worker: read it from the store, write its
files, run the operator's hook.

Layout under the deploy directory::

    current -> .versions/v3          (a symlink: what servers read)
    .versions/v3/privkey.pem (0600), cert.pem, chain.pem, fullchain.pem

A version's files are written into a fresh temporary directory, synced, and the
directory renamed into place; then ``current`` is swapped by renaming a new symlink
over it. A reader going through ``current`` sees the old set or the new one, never a
key of one version beside the certificate of another, and a worker killed half way
leaves only a temporary directory that the next attempt removes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from temporalio import activity
from temporalio.exceptions import ApplicationError

from certorder.activities.deploy_models import (
    CertificateFacts,
    DeployInput,
    DeployResult,
    HookInput,
    ReadCertificateInput,
)
from certorder.store import CertificateStore
from certorder.store.key_store import KeyStore

VERSIONS_DIR = ".versions"
LIVE_LINK = "current"
#: Versions kept on disk beside the current one (a rollback is a symlink away).
OLD_VERSIONS_KEPT = 2
HOOK_TIMEOUT_SECONDS = 120
HOOK_LOG = ".deploy-hook.log"


class DeployActivities:
    def __init__(self, store: CertificateStore, keys: KeyStore) -> None:
        self._store = store
        self._keys = keys

    @activity.defn(name="read_certificate")
    def read_certificate(self, request: ReadCertificateInput) -> CertificateFacts:
        container = self._store.get(request.container_id)
        if container is None:
            raise ApplicationError(f"no certificate container {request.container_id}",
                                   type="UnknownContainer", non_retryable=True)
        cert = x509.load_pem_x509_certificate(container.certificate.encode())
        return CertificateFacts(
            serial=format(cert.serial_number, "x"), not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            fingerprint_sha256=cert.fingerprint(_sha256()).hex(),
            issuer=cert.issuer.rfc4514_string(),
            certificate=container.certificate, chain=container.intermediates or "")

    @activity.defn(name="deploy_certificate")
    def deploy_certificate(self, request: DeployInput) -> DeployResult:
        container = self._store.get(request.container_id)
        if container is None:
            raise ApplicationError(f"no certificate container {request.container_id}",
                                   type="UnknownContainer", non_retryable=True)
        root = Path(request.deploy_dir)
        versions = root / VERSIONS_DIR
        versions.mkdir(parents=True, exist_ok=True, mode=0o750)
        final = versions / f"v{request.version}"
        if not final.is_dir():
            self._write_version(versions, final, request.key_id, container.certificate,
                                container.intermediates or "")
        link = root / LIVE_LINK
        tmp_link = root / f".{LIVE_LINK}.{uuid.uuid4().hex}"
        os.symlink(os.path.join(VERSIONS_DIR, final.name), tmp_link)
        os.replace(tmp_link, link)
        _fsync_dir(root)
        _prune(versions, keep={final.name})
        return DeployResult(live_dir=str(link), files={
            name: str(link / file) for name, file in _FILES.items()})

    @activity.defn(name="run_deploy_hook")
    def run_deploy_hook(self, request: HookInput) -> str:
        """Run the hook with the paths in its environment; a failure is retried."""
        env = {**os.environ, "CERTORDER_CERT_NAME": request.name,
               "CERTORDER_CERT_DIR": request.live_dir, "CERTORDER_CERT_SERIAL": request.serial,
               "CERTORDER_CERT_VERSION": str(request.version),
               **{f"CERTORDER_{name.upper()}_FILE": path for name, path in request.files.items()}}
        # The hook's output stays on the worker, in a 0600 file beside the deployment:
        # a hook may print anything (even the key), and error messages land in history.
        log_path = Path(request.live_dir).parent / HOOK_LOG
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as log:
            try:
                done = subprocess.run(request.command, shell=True, env=env, stdout=log,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                      timeout=HOOK_TIMEOUT_SECONDS, check=False)
            except subprocess.TimeoutExpired:
                raise ApplicationError(
                    f"deploy hook still running after {HOOK_TIMEOUT_SECONDS} s "
                    f"(output in {log_path})", type="DeployHookFailed") from None
        if done.returncode != 0:
            raise ApplicationError(
                f"deploy hook exited {done.returncode} (output in {log_path})",
                type="DeployHookFailed")
        return f"hook exited 0 (version {request.version})"

    def _write_version(self, versions: Path, final: Path, key_id: str, certificate: str,
                       chain: str) -> None:
        for stale in versions.glob(f".{final.name}.*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a worker killed mid-write
        tmp = versions / f".{final.name}.{uuid.uuid4().hex}"
        tmp.mkdir(mode=0o750)
        leaf, chain = _pem(certificate), _pem(chain)
        _write(tmp / _FILES["key"], self._keys.private_pem(key_id), 0o600)
        _write(tmp / _FILES["cert"], leaf.encode(), 0o644)
        _write(tmp / _FILES["chain"], chain.encode(), 0o644)
        _write(tmp / _FILES["fullchain"], (leaf + chain).encode(), 0o644)
        _fsync_dir(tmp)
        os.rename(tmp, final)
        _fsync_dir(versions)


_FILES = {"key": "privkey.pem", "cert": "cert.pem", "chain": "chain.pem",
          "fullchain": "fullchain.pem"}


def _sha256() -> hashes.SHA256:
    return hashes.SHA256()


def _pem(text: str) -> str:
    text = text.strip()
    return f"{text}\n" if text else ""


def _write(path: Path, data: bytes, mode: int) -> None:
    # Created with its final mode: the key is never readable by others, even briefly.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prune(versions: Path, keep: set[str]) -> None:
    done = sorted((p for p in versions.iterdir() if p.name.startswith("v") and p.is_dir()),
                  key=lambda p: int(p.name[1:]) if p.name[1:].isdigit() else -1)
    for old in done[:-(OLD_VERSIONS_KEPT + 1)]:
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)

