"""The local CA's old on-disk layout, read once to import it into the shared state.

Before the CAs moved to the shared state (``records``), every process kept them in its
data_dir::

    <data_dir>/
      cas/
        root/                  the generated root CA
          cert.pem  key.pem  meta.json
        <ca_id>/               one directory per sub-CA, same three files
      crls/<ca_id>/
        revoked.json           {"crl_number", "revoked": {serial: {"reason", "revoked_at"}}}
        crl.pem

Readers skip dot-prefixed entries (a CA being written or deleted by an old version).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography import x509

from certorder.plugins.local_ca.authority import CAMeta

CERT_FILE = "cert.pem"
KEY_FILE = "key.pem"
META_FILE = "meta.json"


class CADirectory:
    """The ``cas/`` and ``crls/`` directories of one data_dir, read only."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / "cas"
        self.crls = Path(data_dir) / "crls"

    def path(self, ca_id: str) -> Path:
        """The directory of CA ``ca_id`` (which may not exist)."""
        return self.root / ca_id

    def exists(self, ca_id: str) -> bool:
        """Whether CA ``ca_id`` is on disk."""
        return (self.root / ca_id / META_FILE).is_file()

    def ids(self) -> list[str]:
        """Ids of every CA on disk, in name order; temporary entries are skipped."""
        if not self.root.is_dir():
            return []
        return sorted(
            entry.name
            for entry in self.root.iterdir()
            if not entry.name.startswith(".") and (entry / META_FILE).is_file()
        )

    def read(self, ca_id: str) -> tuple[CAMeta, x509.Certificate, Path]:
        """(meta, certificate, key path) of a CA on disk.

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

    def revocations(self, ca_id: str) -> dict[str, Any]:
        """``revoked.json`` of CA ``ca_id`` (empty when it has none) and its ``crl.pem``
        text under ``"crl"`` (``None`` when absent)."""
        directory = self.crls / ca_id
        try:
            state = json.loads((directory / "revoked.json").read_text())
        except FileNotFoundError:
            state = {}
        try:
            crl = (directory / "crl.pem").read_text()
        except FileNotFoundError:
            crl = None
        return {"crl_number": int(state.get("crl_number", 0)),
                "revoked": dict(state.get("revoked", {})), "crl": crl}
