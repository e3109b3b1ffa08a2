"""The simulator's certificate authority: a root, an intermediate, and real leaves.

Issued chains verify with ``cryptography.x509.verification`` against the root, like a
public DigiCert chain does against DigiCert's root. Keys are ECDSA P-256 so that
starting a simulator costs milliseconds.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_BACKDATE = dt.timedelta(minutes=5)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CertCentral Simulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=True,
        crl_sign=True,
        encipher_only=False,
        decipher_only=False,
    )


def _leaf_usage() -> x509.KeyUsage:
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


def pem(cert: x509.Certificate) -> str:
    """A certificate as PEM text."""
    return cert.public_bytes(Encoding.PEM).decode()


class SimulatorCA:
    """Root "CertCentral Simulator Root CA" and intermediate "... TLS CA"."""

    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC) - _BACKDATE
        self._root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = self._ca_cert(
            _name("CertCentral Simulator Root CA"),
            self._root_key,
            self._root_key,
            _name("CertCentral Simulator Root CA"),
            now,
            3650,
            path_length=1,
        )
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.intermediate = self._ca_cert(
            _name("CertCentral Simulator TLS CA"),
            self._key,
            self._root_key,
            self.root.subject,
            now,
            1825,
            path_length=0,
        )

    @staticmethod
    def _ca_cert(subject, key, signer, issuer, now, days, path_length) -> x509.Certificate:
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(signer, hashes.SHA256())
        )

    def issue(
        self,
        csr: x509.CertificateSigningRequest,
        common_name: str,
        dns_names: list[str],
        days: int,
    ) -> x509.Certificate:
        """A TLS server leaf for the CSR's key, CN ``common_name``, SANs = CN + names."""
        now = dt.datetime.now(dt.UTC) - _BACKDATE
        names = list(dict.fromkeys([common_name, *dns_names]))
        return (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
            .issuer_name(self.intermediate.subject)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_leaf_usage(), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), False
            )
            .sign(self._key, hashes.SHA256())
        )

    def chain_pems(self, leaf: x509.Certificate) -> list[str]:
        """Leaf, intermediate, root: the order of a ``pem_all`` download."""
        return [pem(leaf), pem(self.intermediate), pem(self.root)]
