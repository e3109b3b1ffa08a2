"""The simulated Dogtag's key material: a root, the host CA, TLS and agent certificates.

Real Dogtag signs with its "CA Signing Certificate"; here that certificate is issued by
an offline root, so that issued chains carry a real intermediate and tests can check
that a plugin leaves the leaf and the root out of ``intermediates``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulators.common.ca import ca_builder, leaf_builder, new_key, pem, private_key_pem

#: Validity of a caServerCert certificate (its profile's ``range`` is 720 days).
LEAF_VALIDITY_DAYS = 720


def _name(dn: str) -> x509.Name:
    """A name from an RFC 4514 string such as ``CN=CA Signing Certificate,O=EXAMPLE``."""
    return x509.Name.from_rfc4514_string(dn)


@dataclass
class SigningCA:
    """A CA that can sign: its key, its certificate, and the chain above it (root last)."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate] = field(default_factory=list)

    @classmethod
    def self_signed(cls, dn: str) -> SigningCA:
        """A new root CA."""
        key = new_key()
        cert = _ca_cert(_name(dn), _name(dn), key.public_key(), key)
        return cls(key=key, cert=cert)

    def sub_ca(self, dn: str) -> SigningCA:
        """A new CA certificate for ``dn`` under this CA."""
        key = new_key()
        cert = _ca_cert(_name(dn), self.cert.subject, key.public_key(), self.key)
        return SigningCA(key=key, cert=cert, chain=[self.cert, *self.chain])

    def issue(
        self,
        subject: x509.Name,
        public_key,
        serial: int,
        san: x509.SubjectAlternativeName | None,
        usage: x509.ObjectIdentifier = ExtendedKeyUsageOID.SERVER_AUTH,
        days: int = LEAF_VALIDITY_DAYS,
    ) -> x509.Certificate:
        """An end-entity certificate, as caServerCert would issue it."""
        now = dt.datetime.now(dt.UTC)
        builder = (
            leaf_builder(
                subject,
                self.cert.subject,
                public_key,
                serial=serial,
                not_before=now - dt.timedelta(minutes=5),
                not_after=now + dt.timedelta(days=days),
                usage=usage,
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
        )
        if san is not None:
            builder = builder.add_extension(san, critical=False)
        return builder.sign(self.key, hashes.SHA256())

    def pkcs7_chain_der(self, leaf: x509.Certificate) -> bytes:
        """The leaf and every CA above it as a degenerate PKCS#7 (what Dogtag returns)."""
        return pkcs7.serialize_certificates(
            [leaf, self.cert, *self.chain], serialization.Encoding.DER
        )


def _ca_cert(subject, issuer, public_key, signer: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    return (
        ca_builder(
            subject,
            issuer,
            public_key,
            not_before=now - dt.timedelta(days=1),
            not_after=now + dt.timedelta(days=3650),
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
            critical=False,
        )
        .sign(signer, hashes.SHA256())
    )


@dataclass
class TLSFiles:
    """Paths of the PEM files a test or a demo needs to talk to the simulator."""

    root_pem: Path
    server_cert: Path
    server_key: Path
    agent_cert: Path
    agent_key: Path
    stranger_cert: Path
    stranger_key: Path


def write_tls_files(directory: Path, host_ca: SigningCA, root: SigningCA, host: str) -> TLSFiles:
    """Make the server's TLS certificate, an agent certificate the server trusts, and a
    "stranger" certificate from an unrelated CA, and write them all as PEM files."""
    directory.mkdir(parents=True, exist_ok=True)
    server_key = new_key()
    san = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(host))]
    )
    server = host_ca.issue(
        _name(f"CN={host},OU=pki-tomcat,O=EXAMPLE"), server_key.public_key(), 2, san
    )
    agent_key, agent = _client_cert(host_ca, "CN=PKI Administrator,UID=caadmin,O=EXAMPLE", 3)
    outsider = SigningCA.self_signed("CN=Unrelated CA,O=ELSEWHERE")
    stranger_key, stranger = _client_cert(outsider, "CN=Not An Agent,O=ELSEWHERE", 4)
    files = TLSFiles(
        root_pem=directory / "root.pem",
        server_cert=directory / "server.pem",
        server_key=directory / "server.key",
        agent_cert=directory / "agent.pem",
        agent_key=directory / "agent.key",
        stranger_cert=directory / "stranger.pem",
        stranger_key=directory / "stranger.key",
    )
    files.root_pem.write_text(pem(root.cert))
    # The server presents its certificate with the host CA, as Tomcat does.
    files.server_cert.write_text(pem(server) + pem(host_ca.cert))
    files.agent_cert.write_text(pem(agent))
    files.stranger_cert.write_text(pem(stranger))
    for path, key in (
        (files.server_key, server_key),
        (files.agent_key, agent_key),
        (files.stranger_key, stranger_key),
    ):
        path.write_bytes(private_key_pem(key))
        path.chmod(0o600)
    return files


def _client_cert(
    ca: SigningCA, dn: str, serial: int
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = new_key()
    cert = ca.issue(_name(dn), key.public_key(), serial, None, ExtendedKeyUsageOID.CLIENT_AUTH)
    return key, cert


def common_name(name: x509.Name) -> str:
    """The first CN of a name, or the whole name as a string."""
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()
