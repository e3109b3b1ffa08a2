"""The embedded local CA: a real X.509 CA on ``cryptography``, with sub-CAs.

Entry point ``local-ca``. The root CA is created on first use in the shared state
(``PluginContext.shared``: every worker on one store issues from it), or loaded from
``root_cert_file``/``root_key_file``; see
``docs/plugins/local-ca.md`` for settings, files and the key-at-rest rules.

The local CA signs at once, so an order never waits on it. That decides the
methods other than issue:

* ``issue_certificate_request`` returns ``CERTIFICATE_GENERATED``, or
  ``INVALID_OPERATION`` with the reason (bad or missing CSR, unknown CA id, field out
  of range, expired CA). It records the certificate in ``plugin_meta``.
* ``check_certificate_status`` has nothing to wait for: if ``plugin_meta`` holds an
  issued certificate it returns it again (``CERTIFICATE_GENERATED``), else
  ``INVALID_OPERATION``.
* ``modify_certificate_request`` and ``cancel_certificate_request`` return
  ``INVALID_OPERATION``: there is never a pending request, and a certificate already
  issued cannot be un-issued (``REQUEST_CANCELED`` would claim otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from pydantic import ValidationError

from certorder.plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.dto import CACreateDTO, CAInfo, CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import (
    InvalidOrderError,
    PluginConfigurationError,
    UnknownCAError,
)
from certorder.plugins.interface.revocation import RevocationReason, RevocationResult
from certorder.plugins.interface.shared_state_files import DirectorySharedState
from certorder.plugins.interface.status import CertificateRequestType, CertificateStatus
from certorder.plugins.local_ca.authority import ROOT_ID, LocalCA, pem_bundle
from certorder.plugins.local_ca.issued_orders import (
    IssuedOrders,
    Reservation,
    leaf_reservation,
    request_digest,
    reserved_serial,
    reserved_validity,
)
from certorder.plugins.local_ca.issuer import CAExpiredError, check_names, issue_leaf
from certorder.plugins.local_ca.keys import signs_deterministically
from certorder.plugins.local_ca.order_data import csr_text, first_error, order_fields
from certorder.plugins.local_ca.revocations import LocalRevocations
from certorder.plugins.local_ca.settings import LocalCAOrderMeta, LocalCASettings
from certorder.plugins.local_ca.store import CAStore

_SYNCHRONOUS = "the local CA issues synchronously"


def _invalid(message: str) -> ResultDTO:
    return ResultDTO(status=CertificateStatus.INVALID_OPERATION, status_message=message)


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode()


class LocalCAPlugin(CertificatePluginBase):
    """A CA hierarchy kept in the shared state that signs CSRs on the spot."""

    order_meta_model = LocalCAOrderMeta
    #: Signing takes milliseconds and is repeat-safe through :class:`IssuedOrders`.
    quick_calls = True

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        try:
            self.settings = LocalCASettings(**dict(context.options))
        except ValidationError as exc:
            raise PluginConfigurationError(f"{context.name}: {first_error(exc)}") from None
        # Without a core (a plugin's own tests) the state stays in the data_dir.
        state = context.shared or DirectorySharedState(context.data_dir / "state")
        self.store = CAStore(state, self.settings, context.data_dir)
        self.issued = IssuedOrders(state)
        self.revocations = LocalRevocations(self.store, self.settings.crl_validity_days)

    # -- order methods ---------------------------------------------------------------

    def issue_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Sign the order's CSR with the order's CA (default: the root) and return it."""
        if plugin_meta.get("certificate"):
            return self._issued(plugin_meta)  # a re-run of a call that already issued
        try:
            fields = order_fields(order_meta, self.settings.max_validity_days, self.name)
            csr_pem = csr_text(order_meta, core_meta)
            csr = load_csr(csr_pem)
            check_names(csr)
        except InvalidOrderError as exc:
            return _invalid(str(exc))
        try:
            ca = self.store.get(core_meta.plugin_ca_id)
        except UnknownCAError:
            return _invalid(f"unknown local CA id {core_meta.plugin_ca_id!r}")
        days = fields.validity_days or self.settings.default_validity_days

        def sign(reservation: Reservation) -> dict[str, Any]:
            cert = issue_leaf(csr, profile=fields.profile, days=days, issuer_cert=ca.cert,
                              issuer_key=self.store.signing_key(ca),
                              crl_url=reservation.get("crl_url", self._crl_url(ca.ca_id)),
                              serial=reserved_serial(reservation),
                              validity=reserved_validity(reservation))
            return {"certificate": _pem(cert), "intermediates": pem_bundle(ca.chain)}

        try:  # the same order again (a re-run local activity): the same serial, signed once
            plugin_meta.update(self.issued.once(
                order_id, request_digest(csr_pem, ca.ca_id),
                lambda: leaf_reservation(ca.ca_id, ca.cert, days, self._crl_url(ca.ca_id)),
                sign, deterministic=signs_deterministically(self.store.signing_key(ca))))
        except CAExpiredError as exc:
            return _invalid(f"cannot issue from local CA {ca.ca_id!r}: {exc}")
        return self._issued(plugin_meta)

    def check_certificate_status(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Return the certificate already issued for this order, if any; nothing is pending."""
        if plugin_meta.get("certificate"):
            return self._issued(plugin_meta)
        return _invalid(f"{_SYNCHRONOUS}; nothing to check")

    def modify_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Always ``INVALID_OPERATION``: there is never a pending request to change."""
        return _invalid(f"{_SYNCHRONOUS}; there is no pending request to modify")

    def cancel_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Always ``INVALID_OPERATION``: an issued certificate cannot be un-issued."""
        return _invalid(
            f"{_SYNCHRONOUS}; there is no pending request to cancel "
            "(a certificate already issued stays valid)"
        )

    # -- revocation ------------------------------------------------------------------

    def revoke_certificate(
        self, order_id: str, certificate: str, order_meta: dict, plugin_meta: dict,
        reason: RevocationReason,
    ) -> RevocationResult:
        """Revoke at once in the issuing CA's list and republish its CRL; a serial
        already revoked answers ``REVOKED`` with its first revocation time."""
        return self.revocations.revoke(certificate, reason)

    def get_crl(self, ca_id: str | None) -> str:
        """A freshly signed CRL of ``ca_id`` (``None``: the root)."""
        return self.revocations.crl(ca_id)

    def _crl_url(self, ca_id: str) -> str | None:
        base = self.settings.crl_url_base
        return f"{base.rstrip('/')}/{ca_id}.crl" if base else None

    # -- order data ------------------------------------------------------------------

    def supported_request_types(self) -> Sequence[CertificateRequestType]:
        """A CSR from the client (``simple-cmc``) or one built by the core (``stored-key``)."""
        return (CertificateRequestType.SIMPLE_CMC, CertificateRequestType.STORED_KEY)

    def validate_order_meta(self, order_meta: Mapping[str, Any]) -> None:
        """Check ``profile`` and ``validity_days`` against this instance's ceiling."""
        order_fields(order_meta, self.settings.max_validity_days, self.name)

    @staticmethod
    def _issued(plugin_meta: Mapping[str, Any]) -> ResultDTO:
        return ResultDTO(
            status=CertificateStatus.CERTIFICATE_GENERATED,
            status_message=(
                f"issued by local CA {plugin_meta.get('ca_id')!r}, "
                f"serial {plugin_meta.get('serial')}"
            ),
            certificate=plugin_meta["certificate"],
            intermediates=plugin_meta.get("intermediates"),
        )

    # -- CAs -------------------------------------------------------------------------

    def get_default_ca_name(self) -> str:
        """The root CA's id, ``root``."""
        return ROOT_ID

    def get_default_signing_cert(self) -> str | None:
        """PEM of the root CA (created now if this is its first use)."""
        return _pem(self.store.root().cert)

    def get_default_intermediates(self) -> str | None:
        """Certificates above the root: none, unless a configured root is itself signed
        by an outside CA."""
        return pem_bundle(self.store.root().chain[1:])

    def get_ca_info(self) -> list[CAInfo]:
        """The root and every sub-CA stored now (also those another worker created)."""
        return [_ca_info(ca) for ca in self.store.all()]

    def supports_create_ca(self) -> bool:
        """Sub-CAs are supported."""
        return True

    def create_ca(self, ca_create: CACreateDTO) -> CAInfo:
        """Create a sub-CA under ``parent_ca_id`` (``None``: the root), for every worker."""
        ca = self.store.create_sub_ca(
            name=ca_create.name,
            description=ca_create.description,
            subject_dn=ca_create.subject_dn,
            parent_ca_id=ca_create.parent_ca_id,
        )
        return _ca_info(ca)

    def delete_ca(self, ca_id: str) -> None:
        """Delete a sub-CA without sub-CAs of its own; the root cannot be deleted."""
        self.store.delete(ca_id)


def _ca_info(ca: LocalCA) -> CAInfo:
    return CAInfo(
        ca_id=ca.ca_id,
        name=ca.meta.name,
        description=ca.meta.description,
        ca_signing_certificate=_pem(ca.cert),
        intermediates=pem_bundle(ca.chain[1:]),
        expiration=ca.cert.not_valid_after_utc,
        parent_ca_id=ca.meta.parent_ca_id,
    )
