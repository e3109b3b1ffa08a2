"""Debian's ``cfssl serve`` with a CA made by ``cfssl gencert -initca``.

Profiles in the generated configuration:

* ``server`` (also the default's usages): serverAuth, 90 days;
* ``client``: clientAuth;
* ``authed``: serverAuth, and only through ``authsign`` with :attr:`CfsslServer.auth_key`.

With ``intermediate=True`` the server signs with an intermediate CA (made here with
``cryptography`` under the ``-initca`` root), so chains have a real intermediate.

With ``database=True`` it runs with ``-db-config`` and a SQLite certificate database
(cfssl's own ``certdb`` schema): every signed certificate is recorded there, and the
``revoke`` endpoint, which needs that database, is enabled.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

from servers.ports import free_port, wait_listening
from servers.processes import spawn, stop_process
from simulators.common.ca import ca_builder, new_key, pem, private_key_pem

CFSSL = shutil.which("cfssl")
CFSSLJSON = shutil.which("cfssljson")

_CA_CSR = {
    "CN": "certorder cfssl test root",
    "key": {"algo": "ecdsa", "size": 256},
    "names": [{"O": "certorder tests"}],
    "ca": {"expiry": "87600h"},
}
_SERVER = ["digital signature", "key encipherment", "server auth"]


# cfssl's certdb/sqlite/migrations/001_CreateCertificates.sql.
_CERTDB_SCHEMA = """
CREATE TABLE certificates (
  serial_number            blob NOT NULL,
  authority_key_identifier blob NOT NULL,
  ca_label                 blob,
  status                   blob NOT NULL,
  reason                   int,
  expiry                   timestamp,
  revoked_at               timestamp,
  pem                      blob NOT NULL,
  PRIMARY KEY(serial_number, authority_key_identifier)
);
CREATE TABLE ocsp_responses (
  serial_number            blob NOT NULL,
  authority_key_identifier blob NOT NULL,
  body                     blob NOT NULL,
  expiry                   timestamp,
  PRIMARY KEY(serial_number, authority_key_identifier),
  FOREIGN KEY(serial_number, authority_key_identifier)
    REFERENCES certificates(serial_number, authority_key_identifier)
);
"""


def _config(auth_key: str) -> dict:
    return {
        "signing": {
            "default": {"expiry": "2160h", "usages": _SERVER},
            "profiles": {
                "server": {"expiry": "2160h", "usages": _SERVER},
                "client": {"expiry": "2160h", "usages": ["digital signature", "client auth"]},
                "authed": {"expiry": "2160h", "usages": _SERVER, "auth_key": "certorder"},
            },
        },
        "auth_keys": {"certorder": {"type": "standard", "key": auth_key}},
    }


@dataclass
class CfsslServer:
    """One CFSSL CA on 127.0.0.1."""

    workdir: Path
    intermediate: bool = False
    port: int = field(default_factory=free_port)
    auth_key: str = field(default_factory=lambda: os.urandom(16).hex())
    database: bool = False

    def __post_init__(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        assert CFSSL and CFSSLJSON, "golang-cfssl is not installed"
        (self.workdir / "ca-csr.json").write_text(json.dumps(_CA_CSR))
        made = subprocess.run(
            [CFSSL, "gencert", "-initca", "ca-csr.json"],
            cwd=self.workdir,
            capture_output=True,
            check=True,
        )
        subprocess.run(
            [CFSSLJSON, "-bare", "root"], cwd=self.workdir, input=made.stdout, check=True
        )
        self.root = self.workdir / "root.pem"
        self.signer, self.signer_key = self.root, self.workdir / "root-key.pem"
        if self.intermediate:
            self.signer, self.signer_key = self._make_intermediate()
        self.config = self.workdir / "config.json"
        self.config.write_text(json.dumps(_config(self.auth_key)))
        self._process: subprocess.Popen | None = None
        self.db_path = self.workdir / "certs.db"
        if self.database:
            with sqlite3.connect(self.db_path) as db:
                db.executescript(_CERTDB_SCHEMA)
            (self.workdir / "db-config.json").write_text(
                json.dumps({"driver": "sqlite3", "data_source": str(self.db_path)}))

    @property
    def base_url(self) -> str:
        """The server's URL (no path)."""
        return f"http://127.0.0.1:{self.port}"

    def root_pem(self) -> str:
        """The self-signed root every issued chain must verify against."""
        return self.root.read_text()

    def signer_pem(self) -> str:
        """The certificate CFSSL signs with (the root, or the intermediate)."""
        return self.signer.read_text()

    def start(self) -> None:
        """Start ``cfssl serve``; return when it listens."""
        argv = [CFSSL, "serve", "-address", "127.0.0.1", "-port", str(self.port)]
        argv += ["-ca", str(self.signer), "-ca-key", str(self.signer_key)]
        argv += ["-config", str(self.config), "-loglevel", "2"]
        if self.database:
            argv += ["-db-config", str(self.workdir / "db-config.json")]
        self._process = spawn(argv, self.workdir, "cfssl.log")
        wait_listening(self.port)

    def stop(self) -> None:
        """Stop the server (its CA files stay, so :meth:`start` brings the same CA back)."""
        stop_process(self._process)
        self._process = None

    def certificate_row(self, serial: int) -> dict | None:
        """cfssl's own record of a certificate (status, reason, revoked_at...), or None."""
        with sqlite3.connect(self.db_path) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM certificates WHERE serial_number = ?",
                             (str(serial),)).fetchone()
        return dict(row) if row is not None else None

    def _make_intermediate(self) -> tuple[Path, Path]:
        root = x509.load_pem_x509_certificate(self.root.read_bytes())
        root_key = serialization.load_pem_private_key(
            (self.workdir / "root-key.pem").read_bytes(), password=None
        )
        key = new_key()
        now = dt.datetime.now(dt.UTC)
        cert = (
            ca_builder(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "certorder cfssl test sub")]),
                root.subject,
                key.public_key(),
                not_before=now - dt.timedelta(minutes=5),
                not_after=now + dt.timedelta(days=365),
                path_length=0,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()), False
            )
            .sign(root_key, hashes.SHA256())
        )
        cert_path, key_path = self.workdir / "sub.pem", self.workdir / "sub-key.pem"
        cert_path.write_text(pem(cert))
        key_path.write_bytes(private_key_pem(key, serialization.PrivateFormat.TraditionalOpenSSL))
        return cert_path, key_path
