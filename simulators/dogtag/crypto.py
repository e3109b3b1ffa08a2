"""The simulated Dogtag's key material: a root, the host CA, TLS and agent certificates.

Real Dogtag signs with its "CA Signing Certificate"; here that certificate is issued by
an offline root, so that issued chains carry a real intermediate and tests can check
that a plugin leaves the leaf and the root out of ``intermediates``. Keys are P-256:
fast to make, so every test gets a fresh CA.
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

#: Validity of a caServerCert certificate (its profile's ``range`` is 720 days).
LEAF_VALIDITY_DAYS = 720


def _name(dn: str) -> x509.Name:
    """A name from an RFC 4514 string such as ``CN=CA Signing Certificate,O=EXAMPLE``."""
    return x509.Name.from_rfc4514_string(dn)


def pem(cert: x509.Certificate) -> str:
    """The certificate as PEM text."""
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@dataclass
class SigningCA:
    """A CA that can sign: its key, its certificate, and the chain above it (root last)."""

    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    chain: list[x509.Certificate] = field(default_factory=list)

    @classmethod
    def self_signed(cls, dn: str) -> SigningCA:
        """A new root CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _ca_builder(_name(dn), _name(dn), key.public_key(), key.public_key()).sign(
            key, hashes.SHA256()
        )
        return cls(key=key, cert=cert)

    def sub_ca(self, dn: str) -> SigningCA:
        """A new CA certificate for ``dn`` under this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        builder = _ca_builder(_name(dn), self.cert.subject, key.public_key(), self.key.public_key())
        cert = builder.sign(self.key, hashes.SHA256())
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
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.cert.subject)
            .public_key(public_key)
            .serial_number(serial)
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_leaf_key_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
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


def _ca_builder(subject, issuer, public_key, issuer_public_key) -> x509.CertificateBuilder:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key), critical=False
        )
    )


def _leaf_key_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
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
    server_key = ec.generate_private_key(ec.SECP256R1())
    san = x509.SubjectAlternativeName(
        [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(host))]
    )
    server = host_ca.issue(
        _name(f"CN={host},OU=pki-tomcat,O=EXAMPLE"), server_key.public_key(), 2, san
    )
    agent_key = ec.generate_private_key(ec.SECP256R1())
    agent = host_ca.issue(
        _name("CN=PKI Administrator,UID=caadmin,O=EXAMPLE"),
        agent_key.public_key(),
        3,
        None,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
    outsider = SigningCA.self_signed("CN=Unrelated CA,O=ELSEWHERE")
    stranger_key = ec.generate_private_key(ec.SECP256R1())
    stranger = outsider.issue(
        _name("CN=Not An Agent,O=ELSEWHERE"),
        stranger_key.public_key(),
        4,
        None,
        usage=ExtendedKeyUsageOID.CLIENT_AUTH,
    )
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
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        path.chmod(0o600)
    return files


def common_name(name: x509.Name) -> str:
    """The first CN of a name, or the whole name as a string."""
    attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else name.rfc4514_string()
