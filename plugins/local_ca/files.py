"""The on-disk layout of the local CA, shared by every process that uses one data_dir.

::

    <data_dir>/
      cas.lock                 flock()ed while a CA is created or deleted
      cas/
        root/                  the generated root CA (absent when configured from files)
          cert.pem  key.pem  meta.json
        <ca_id>/               one directory per sub-CA, same three files

A CA directory is written under a dot-prefixed temporary name and then renamed into
place, so a reader in another process sees either the whole CA or nothing; readers
skip dot-prefixed entries. Deletion renames the directory away before removing it,
for the same reason.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from certorder.plugins.local_ca.keys import CAPrivateKey, write_new_file, write_private_key

CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
META_FILE = "meta.json"


@dataclass(frozen=True)
class CAMeta:
    """What ``meta.json`` records about a CA beside its certificate."""

    ca_id: str
    name: str
    description: str = ""
    parent_ca_id: str | None = None

    def to_json(self) -> bytes:
        """The JSON text stored in ``meta.json``."""
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode() + b"\n"

    @classmethod
    def from_json(cls, data: bytes) -> CAMeta:
        """Parse ``meta.json``; raises ``ValueError`` if it is not a CA description."""
        raw = json.loads(data)
        if not isinstance(raw, dict) or not isinstance(raw.get("ca_id"), str):
            raise ValueError("meta.json is not a CA description")
        return cls(
            ca_id=raw["ca_id"],
            name=str(raw.get("name") or raw["ca_id"]),
            description=str(raw.get("description") or ""),
            parent_ca_id=raw.get("parent_ca_id"),
        )


class CADirectory:
    """The ``cas/`` directory of one data_dir."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "cas"
        self.lock_path = Path(data_dir) / "cas.lock"

    def ensure(self) -> None:
        """Create ``cas/`` (owner-only) if it does not exist yet."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)

    def path(self, ca_id: str) -> Path:
        """The directory of CA ``ca_id`` (which may not exist)."""
        return self.root / ca_id

    def exists(self, ca_id: str) -> bool:
        """Whether CA ``ca_id`` is published on disk."""
        return (self.root / ca_id / META_FILE).is_file()

    def ids(self) -> list[str]:
        """Ids of every published CA, in name order; temporary entries are skipped."""
        if not self.root.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.root.iterdir()
            if not entry.name.startswith(".") and (entry / META_FILE).is_file()
        )

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the data_dir's exclusive lock (across processes). Not re-entrant."""
        self.ensure()
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def read(self, ca_id: str) -> tuple[CAMeta, x509.Certificate, Path]:
        """(meta, certificate, key path) of a published CA.

        :raises ValueError: if the files are unreadable or disagree with ``ca_id``.
        """
        directory = self.root / ca_id
        try:
            meta = CAMeta.from_json((directory / META_FILE).read_bytes())
            cert = x509.load_pem_x509_certificate((directory / CERT_FILE).read_bytes())
        except (OSError, ValueError) as exc:
            raise ValueError(f"CA directory {directory} is unusable: {exc}") from None
        if meta.ca_id != ca_id:
            raise ValueError(f"CA directory {directory} describes CA {meta.ca_id!r}")
        return meta, cert, directory / KEY_FILE

    def publish(
        self, meta: CAMeta, cert: x509.Certificate, key: CAPrivateKey, passphrase: str | None
    ) -> Path:
        """Write a new CA atomically; call with :meth:`locked` held. Returns its key path."""
        self.ensure()
        target = self.root / meta.ca_id
        staging = Path(tempfile.mkdtemp(prefix=f".new-{meta.ca_id}-", dir=self.root))
        try:
            write_private_key(staging / KEY_FILE, key, passphrase)
            write_new_file(staging / CERT_FILE, cert.public_bytes(Encoding.PEM), 0o644)
            write_new_file(staging / META_FILE, meta.to_json(), 0o644)
            # rename() of a directory is atomic and fails if the target already exists.
            os.rename(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _fsync_dir(self.root)
        return target / KEY_FILE

    def remove(self, ca_id: str) -> None:
        """Unpublish and delete CA ``ca_id``; call with :meth:`locked` held."""
        graveyard = self.root / f".deleted-{ca_id}-{secrets.token_hex(4)}"
        os.rename(self.root / ca_id, graveyard)
        _fsync_dir(self.root)
        shutil.rmtree(graveyard, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
