"""The simulator's certificate authority: a root, an intermediate, and real leaves.

Issued chains verify with ``cryptography.x509.verification`` against the root, like a
public DigiCert chain does against DigiCert's root.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from simulators.common.ca import ca_builder, leaf_builder, new_key, pem

_BACKDATE = dt.timedelta(minutes=5)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CertCentral Simulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


class SimulatorCA:
    """Root "CertCentral Simulator Root CA" and intermediate "... TLS CA"."""

    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC) - _BACKDATE
        self._root_key = new_key()
        root_name = _name("CertCentral Simulator Root CA")
        self.root = ca_builder(
            root_name,
            root_name,
            self._root_key.public_key(),
            not_before=now,
            not_after=now + dt.timedelta(days=3650),
            path_length=1,
        ).sign(self._root_key, hashes.SHA256())
        self._key = new_key()
        self.intermediate = ca_builder(
            _name("CertCentral Simulator TLS CA"),
            self.root.subject,
            self._key.public_key(),
            not_before=now,
            not_after=now + dt.timedelta(days=1825),
            path_length=0,
        ).sign(self._root_key, hashes.SHA256())

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
            leaf_builder(
                x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
                self.intermediate.subject,
                csr.public_key(),
                serial=x509.random_serial_number(),
                not_before=now,
                not_after=now + dt.timedelta(days=days),
                usage=ExtendedKeyUsageOID.SERVER_AUTH,
            )
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), False
            )
            .sign(self._key, hashes.SHA256())
        )

    def chain_pems(self, leaf: x509.Certificate) -> list[str]:
        """Leaf, intermediate, root: the order of a ``pem_all`` download."""
        return [pem(leaf), pem(self.intermediate), pem(self.root)]
