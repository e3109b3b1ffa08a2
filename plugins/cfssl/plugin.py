"""The CFSSL plugin: certificates signed by a ``cfssl serve`` (or ``multirootca``) CA.

Entry point ``cfssl``; settings and order fields in :mod:`certorder.plugins.cfssl.settings`, user
documentation in ``docs/plugins/cfssl.md``.

CFSSL signs synchronously, so ``issue_certificate_request`` returns
``CERTIFICATE_GENERATED`` (or why not) in one call. The chain comes from ``info``: the
signer's certificate is an intermediate unless it is self-signed, in which case it is
the root and ``intermediates`` stays empty (a root never travels in the chain).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import ValidationError

from certorder.plugins.cfssl.client import CfsslClient, CfsslRefusedError
from certorder.plugins.cfssl.settings import CfsslOrderMeta, CfsslSettings
from certorder.plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from certorder.plugins.interface.csr import csr_pem, load_csr
from certorder.plugins.interface.dto import CAInfo, CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import (
    CAOperationError,
    CAUnavailableError,
    InvalidOrderError,
    PluginConfigurationError,
)
from certorder.plugins.interface.status import CertificateRequestType, CertificateStatus

#: plugin_meta key of a leaf CFSSL signed whose chain is not fetched yet.
SIGNED_LEAF = "signed_leaf"


def _signed(plugin_meta: dict) -> bool:
    return bool(plugin_meta.get("certificate") or plugin_meta.get(SIGNED_LEAF))


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "value"
    return f"{field}: {first['msg']}"


def _invalid(message: str) -> ResultDTO:
    return ResultDTO(status=CertificateStatus.INVALID_OPERATION, status_message=message)


def _hosts(csr: x509.CertificateSigningRequest) -> list[str]:
    # CFSSL puts exactly the request's "hosts" into the subjectAltName, so pass the CSR's.
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    hosts = list(san.get_values_for_type(x509.DNSName))
    hosts += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    hosts += list(san.get_values_for_type(x509.RFC822Name))
    return hosts


def _pem(cert: x509.Certificate) -> str:
    # CFSSL's PEM lacks the final newline; re-encode so chains concatenate cleanly.
    return cert.public_bytes(Encoding.PEM).decode()


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.subject != cert.issuer:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # noqa: BLE001 - a bad signature or an odd key both mean "no"
        return False
    return True


class CfsslPlugin(CertificatePluginBase):
    """Signs CSRs through one CFSSL server's ``sign`` or ``authsign`` endpoint."""

    order_meta_model = CfsslOrderMeta

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        try:
            self.settings = CfsslSettings(**dict(context.options))
        except ValidationError as exc:
            raise PluginConfigurationError(f"{context.name}: {_first_error(exc)}") from None
        self.client = CfsslClient(self.settings)

    def supported_request_types(self) -> Sequence[CertificateRequestType]:
        """A CSR from the client, or one the core builds from a stored key."""
        return (CertificateRequestType.SIMPLE_CMC, CertificateRequestType.STORED_KEY)

    def validate_order_meta(self, order_meta: Mapping[str, Any]) -> None:
        """Check ``profile`` against the ``profiles`` setting, when that is set."""
        super().validate_order_meta(order_meta)
        self._profile(order_meta)

    # -- order methods ---------------------------------------------------------------

    def issue_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Sign the CSR at once. A repeated call after success returns the same chain.

        The signed leaf goes into ``plugin_meta`` (and is reported as progress) before
        the chain is asked for: if ``info`` fails, or the worker dies, the retried call
        only fetches the chain and never has CFSSL sign a second certificate.
        """
        if plugin_meta.get("certificate"):
            return self._issued(plugin_meta)
        try:
            if not plugin_meta.get(SIGNED_LEAF):
                try:
                    profile = self._profile(order_meta)
                    csr = load_csr(core_meta.generated_csr or order_meta.get("request_data") or "")
                except InvalidOrderError as exc:
                    return _invalid(str(exc))
                leaf = self.client.sign(csr_pem(csr), _hosts(csr), profile)
                try:
                    cert = x509.load_pem_x509_certificate(leaf.encode())
                except ValueError as exc:
                    return _invalid(f"CFSSL returned a certificate that does not parse: {exc}")
                plugin_meta.update(
                    {SIGNED_LEAF: _pem(cert)}, profile=profile,
                    serial=format(cert.serial_number, "x"),
                )
                core_meta.report_progress(plugin_meta)
            ca = self.client.info(plugin_meta["profile"])["certificate"]
        except CfsslRefusedError as exc:
            return _invalid(str(exc))
        except CAUnavailableError as exc:
            return ResultDTO(
                status=CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST,
                status_message=str(exc),
                retry_msec=exc.retry_msec,
            )
        try:
            signer = x509.load_pem_x509_certificate(ca.encode())
        except ValueError as exc:
            return _invalid(f"CFSSL returned a CA certificate that does not parse: {exc}")
        plugin_meta.update(
            certificate=plugin_meta.pop(SIGNED_LEAF),
            intermediates=None if _is_self_signed(signer) else _pem(signer),
        )
        return self._issued(plugin_meta)

    def check_certificate_status(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Nothing is ever pending at CFSSL: return the certificate, or sign now."""
        return self.issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)

    def modify_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Until CFSSL has signed (it was unreachable), a change applies; after, it cannot."""
        if _signed(plugin_meta):
            return _invalid("CFSSL already signed this order; a certificate cannot be changed")
        return self.issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)

    def cancel_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Only an order CFSSL has not signed yet can be canceled (nothing is pending)."""
        if _signed(plugin_meta):
            return _invalid("CFSSL already signed this order; revoke the certificate instead")
        return ResultDTO(
            status=CertificateStatus.REQUEST_CANCELED,
            status_message="canceled before CFSSL signed anything",
        )

    # -- CAs -------------------------------------------------------------------------

    def get_default_signing_cert(self) -> str | None:
        """The CFSSL signer's certificate, from ``info``.

        :raises CAUnavailableError: CFSSL cannot be reached.
        """
        try:
            info = self.client.info(self.settings.default_profile)
            return _pem(x509.load_pem_x509_certificate(str(info["certificate"]).encode()))
        except CfsslRefusedError as exc:
            raise CAOperationError(f"{self.name}: {exc}") from None

    def get_ca_info(self) -> list[CAInfo]:
        """The CFSSL signer as one CA, with its certificate and expiry."""
        (info,) = super().get_ca_info()
        description = f"CFSSL CA at {self.settings.base_url}"
        if self.settings.label:
            description += f" (label {self.settings.label})"
        return [info.model_copy(update={"description": description})]

    def close(self) -> None:
        """Close the HTTP connections."""
        self.client.close()

    # -- helpers ---------------------------------------------------------------------

    def _profile(self, order_meta: Mapping[str, Any]) -> str:
        profile = order_meta.get("profile") or self.settings.default_profile
        allowed = self.settings.profiles
        if allowed is not None and profile not in allowed:
            raise InvalidOrderError(
                f"{self.name}: profile {profile!r} is not offered; choose one of "
                f"{', '.join(repr(p) for p in allowed)}"
            )
        return str(profile)

    @staticmethod
    def _issued(plugin_meta: dict) -> ResultDTO:
        return ResultDTO(
            status=CertificateStatus.CERTIFICATE_GENERATED,
            status_message=f"signed by CFSSL (profile {plugin_meta['profile'] or 'default'})",
            certificate=plugin_meta["certificate"],
            intermediates=plugin_meta.get("intermediates"),
        )
