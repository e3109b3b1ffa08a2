"""Building the local CA's certificates: CA certificates and leaves signed from a CSR.

Only the subject, the public key and the subjectAltName are taken from a CSR. Every
other extension is the CA's decision, so a requester can never ask for ``CA:TRUE``
or an extra key usage by putting it in the CSR.
"""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID

from certorder.plugins.interface.errors import InvalidOrderError
from certorder.plugins.local_ca.keys import CAPrivateKey, sign_certificate, signature_hash
from certorder.plugins.local_ca.settings import Profile

#: How far notBefore is set in the past, so that relying parties whose clocks lag a
#: little do not reject a certificate that was just issued.
BACKDATE = dt.timedelta(minutes=5)

_EKUS: dict[str, tuple[x509.ObjectIdentifier, ...]] = {
    "server": (ExtendedKeyUsageOID.SERVER_AUTH,),
    "client": (ExtendedKeyUsageOID.CLIENT_AUTH,),
    "server-client": (ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH),
}


class CAExpiredError(ValueError):
    """The issuing CA's certificate is no longer valid."""


def _key_usage(
    *, digital_signature: bool, key_encipherment: bool, cert_sign: bool
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def check_names(csr: x509.CertificateSigningRequest) -> None:
    """Refuse a CSR that names nobody: a certificate needs a subject or a subjectAltName.

    :raises InvalidOrderError: if the CSR has neither.
    """
    if list(csr.subject):
        return
    try:
        csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        raise InvalidOrderError("CSR has neither a subject nor a subjectAltName") from None


def leaf_key_usage(profile: Profile, public_key: CertificatePublicKeyTypes) -> x509.KeyUsage:
    """keyUsage for a leaf: digitalSignature, plus keyEncipherment for RSA server keys
    (TLS 1.2 RSA key exchange encrypts the premaster secret to the server's key)."""
    rsa_server = isinstance(public_key, rsa.RSAPublicKey) and profile != "client"
    return _key_usage(digital_signature=True, key_encipherment=rsa_server, cert_sign=False)


def leaf_validity(
    issuer: x509.Certificate, days: int, now: dt.datetime
) -> tuple[dt.datetime, dt.datetime]:
    """(notBefore, notAfter) for a leaf of ``days`` from ``now``, kept inside the issuer's
    own validity: a certificate outliving its CA would fail path validation anyway.

    :raises CAExpiredError: if the issuer is not valid at ``now``.
    """
    ca_not_before, ca_not_after = issuer.not_valid_before_utc, issuer.not_valid_after_utc
    if now >= ca_not_after:
        raise CAExpiredError(f"the issuing CA expired on {ca_not_after:%Y-%m-%d %H:%M} UTC")
    not_before = max(now - BACKDATE, ca_not_before)
    not_after = min(now + dt.timedelta(days=days), ca_not_after)
    return not_before, not_after


def _with_key_ids(
    builder: x509.CertificateBuilder,
    subject_key: CertificatePublicKeyTypes,
    issuer_cert: x509.Certificate | None,
    issuer_key: CAPrivateKey,
) -> x509.CertificateBuilder:
    builder = builder.add_extension(
        x509.SubjectKeyIdentifier.from_public_key(subject_key), critical=False
    )
    if issuer_cert is None:
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    else:
        try:
            ski = issuer_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski.value)
        except x509.ExtensionNotFound:
            aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key())
    return builder.add_extension(aki, critical=False)


def issue_leaf(
    csr: x509.CertificateSigningRequest,
    *,
    profile: Profile,
    days: int,
    issuer_cert: x509.Certificate,
    issuer_key: CAPrivateKey,
    now: dt.datetime | None = None,
    crl_url: str | None = None,
    serial: int | None = None,
    validity: tuple[dt.datetime, dt.datetime] | None = None,
) -> x509.Certificate:
    """Sign a leaf certificate for a CSR whose signature and key were already checked;
    with ``crl_url``, it names where relying parties find its CA's CRL. ``serial`` and
    ``validity`` given (a reservation, see ``issued_orders``) are signed as they are, so
    that signing again yields the same serial and content; else they are chosen here."""
    if validity is None:
        validity = leaf_validity(issuer_cert, days, now or dt.datetime.now(dt.UTC))
    not_before, not_after = validity
    public_key = csr.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(csr.subject)
        .issuer_name(issuer_cert.subject)
        .public_key(public_key)
        # 159 random bits, positive: unpredictable serials (CA/B Forum asks for >= 64).
        .serial_number(x509.random_serial_number() if serial is None else serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(leaf_key_usage(profile, public_key), critical=True)
        .add_extension(x509.ExtendedKeyUsage(list(_EKUS[profile])), critical=False)
    )
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        # RFC 5280 4.2.1.6: with an empty subject the SAN must be critical.
        critical = san.critical or not list(csr.subject)
        builder = builder.add_extension(san.value, critical=critical)
    except x509.ExtensionNotFound:
        pass
    if crl_url is not None:
        point = x509.DistributionPoint(
            full_name=[x509.UniformResourceIdentifier(crl_url)],
            relative_name=None, reasons=None, crl_issuer=None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), critical=False)
    builder = _with_key_ids(builder, public_key, issuer_cert, issuer_key)
    return sign_certificate(builder, issuer_key)


def build_ca_certificate(
    *,
    subject: x509.Name,
    key: CAPrivateKey,
    days: int,
    path_length: int | None,
    issuer_cert: x509.Certificate | None = None,
    issuer_key: CAPrivateKey | None = None,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """A CA certificate for ``key``: self-signed when no issuer is given, else signed by
    the issuer and ending no later than it does."""
    now = now or dt.datetime.now(dt.UTC)
    if issuer_cert is None or issuer_key is None:
        issuer_name, signer = subject, key
        not_before, not_after = now - BACKDATE, now + dt.timedelta(days=days)
    else:
        issuer_name, signer = issuer_cert.subject, issuer_key
        not_before, not_after = leaf_validity(issuer_cert, days, now)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            _key_usage(digital_signature=False, key_encipherment=False, cert_sign=True),
            critical=True,
        )
    )
    builder = _with_key_ids(builder, key.public_key(), issuer_cert, signer)
    return builder.sign(signer, signature_hash(signer))


def path_length_of(cert: x509.Certificate) -> int | None:
    """The pathLenConstraint of a CA certificate (``None``: unlimited)."""
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length
    except x509.ExtensionNotFound:
        return None


def is_ca_certificate(cert: x509.Certificate) -> bool:
    """Whether ``cert`` says ``CA:TRUE``."""
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        return False


def is_self_signed(cert: x509.Certificate) -> bool:
    """Whether ``cert`` is issued by itself (subject == issuer and its own key verifies it)."""
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
