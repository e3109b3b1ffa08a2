"""The ACME plugin (RFC 8555): certificates from Let's Encrypt, Pebble, or any ACME CA.

Entry point ``acme``; settings in :mod:`certorder.plugins.acme.settings`, order steps in
:mod:`certorder.plugins.acme.order`, user documentation in ``docs/plugins/acme.md``.

An ACME order takes several round trips and the CA validates names in between, so
``issue_certificate_request`` places the order, answers the challenges and returns
``WAITING_FOR_CA``; each ``check_certificate_status`` then takes the next step
(finalize, wait, download). Nothing sleeps inside a call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cryptography import x509
from pydantic import ValidationError

from certorder.plugins.acme.account import AcmeAccount
from certorder.plugins.acme.challenges import build_solver
from certorder.plugins.acme.errors import invalid, is_account_gone, result_for_failure
from certorder.plugins.acme.network import AcmeSession
from certorder.plugins.acme.order import AcmeOrderDriver
from certorder.plugins.acme.revoke import revoke_with_account
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from certorder.plugins.interface.csr import csr_pem, load_csr
from certorder.plugins.interface.dto import CAInfo, CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import (
    CAUnavailableError,
    InvalidOrderError,
    PluginConfigurationError,
)
from certorder.plugins.interface.revocation import RevocationReason, RevocationResult
from certorder.plugins.interface.shared_state_files import DirectorySharedState
from certorder.plugins.interface.status import CertificateRequestType, CertificateStatus

LOG = logging.getLogger(__name__)

Step = Callable[[AcmeSession], ResultDTO]


def _csr_bytes(order_meta: Mapping[str, Any], core_meta: CoreMetaDTO) -> bytes:
    text = core_meta.generated_csr or order_meta.get("request_data")
    if not text:
        raise InvalidOrderError("an ACME order needs a CSR (request_data or a stored key)")
    csr = load_csr(text)
    if not _identifiers(csr):
        raise InvalidOrderError("the CSR names no DNS name or IP address for ACME to validate")
    return csr_pem(csr).encode()


def _identifiers(csr: x509.CertificateSigningRequest) -> list[str]:
    try:
        san = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names = [*san.get_values_for_type(x509.DNSName)]
        names += [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        names = []
    cns = csr.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return names + [str(cn.value) for cn in cns]


class AcmePlugin(CertificatePluginBase):
    """Orders certificates from one ACME directory with one account."""

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        try:
            self.settings = AcmeSettings(**dict(context.options))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "value"
            raise PluginConfigurationError(f"{context.name}: {field}: {first['msg']}") from None
        # Without a core (a plugin's own tests) the state stays in the data_dir.
        state = context.shared or DirectorySharedState(context.data_dir / "state")
        self.account = AcmeAccount(self.settings, state, context.data_dir)
        self.solver = build_solver(self.settings)
        self.driver = AcmeOrderDriver(self.settings, self.account, self.solver)

    def supported_request_types(self) -> Sequence[CertificateRequestType]:
        """A CSR from the client, or one the core builds from a stored key."""
        return (CertificateRequestType.SIMPLE_CMC, CertificateRequestType.STORED_KEY)

    def validate_order_meta(self, order_meta: Mapping[str, Any]) -> None:
        """Refuse a CSR that names nothing ACME could validate."""
        if order_meta.get("request_data"):
            _csr_bytes(order_meta, CoreMetaDTO())

    # -- order methods ---------------------------------------------------------------

    def issue_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Place the ACME order and answer its challenges; a repeated call continues the
        order already placed (``plugin_meta["order_url"]``) instead of placing another."""
        try:
            csr = _csr_bytes(order_meta, core_meta)
        except InvalidOrderError as exc:
            return invalid(str(exc))
        if plugin_meta.get("order_url"):
            return self._run(lambda s: self.driver.advance(s, plugin_meta, csr))
        return self._run(lambda s: self.driver.place(s, plugin_meta, csr))

    def check_certificate_status(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Take the order's next step: poll, finalize, or download the chain."""
        if not plugin_meta.get("order_url"):
            return self.issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)
        try:
            csr = _csr_bytes(order_meta, core_meta)
        except InvalidOrderError as exc:
            return invalid(str(exc))
        return self._run(lambda s: self.driver.advance(s, plugin_meta, csr))

    def modify_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Before the ACME order is placed, the change simply applies; afterwards RFC 8555
        has no way to change an order, so the order continues unchanged."""
        if not plugin_meta.get("order_url"):
            return self.issue_certificate_request(order_id, order_meta, plugin_meta, core_meta)
        return ResultDTO(
            status=CertificateStatus.CLIENT_DATA_ISSUE_SEEN,
            status_message="an ACME order cannot be changed once placed; it continues "
            "unchanged (cancel it and order again to change names or key)",
            retry_msec=self.settings.poll_retry_msec,
        )

    def cancel_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Deactivate the order's pending authorizations at the CA."""
        if not plugin_meta.get("order_url"):
            return ResultDTO(
                status=CertificateStatus.REQUEST_CANCELED,
                status_message="canceled before an ACME order was placed",
            )
        return self._run(lambda s: self.driver.cancel(s, plugin_meta))

    def revoke_certificate(
        self, order_id: str, certificate: str, order_meta: dict, plugin_meta: dict,
        reason: RevocationReason,
    ) -> RevocationResult:
        """Revoke through the directory's ``revokeCert`` with the ordering account's key
        (RFC 8555 section 7.6); ``alreadyRevoked`` counts as revoked."""
        return revoke_with_account(self.account, self.settings, certificate, reason)

    # -- CAs -------------------------------------------------------------------------

    def get_ca_info(self) -> list[CAInfo]:
        """The ACME directory, as one CA (ACME does not publish its issuing chain up front).

        :raises CAUnavailableError: the directory cannot be fetched.
        """
        try:
            directory = self.account.directory()
        except Exception as exc:  # noqa: BLE001 - mapped below, re-raised if unknown
            outcome = result_for_failure(exc, None, self.settings)
            if outcome is None:
                raise
            raise CAUnavailableError(outcome.status_message or str(exc)) from None
        meta = getattr(directory, "meta", None)
        terms = getattr(meta, "terms_of_service", None) if meta else None
        website = getattr(meta, "website", None) if meta else None
        details = [f"ACME directory {self.settings.directory_url}"]
        details += [f"terms of service {terms}"] if terms else []
        details += [f"website {website}"] if website else []
        return [CAInfo(ca_id=self.name, name=self.name, description="; ".join(details))]

    def close(self) -> None:
        """Stop the http-01 responder, if it was started."""
        self.solver.close()

    # -- plumbing --------------------------------------------------------------------

    def _run(self, step: Step) -> ResultDTO:
        """Run one step on a fresh session; map failures to results. An account the CA
        no longer knows (a test CA that restarted) is registered again, once."""
        for attempt in (1, 2):
            session: AcmeSession | None = None
            try:
                session = self.account.session()
                return step(session)
            except Exception as exc:  # noqa: BLE001 - every failure is mapped or re-raised
                if attempt == 1 and is_account_gone(exc):
                    LOG.warning("ACME account unknown to %s; registering again", self.name)
                    self.account.forget_registration()
                    continue
                outcome = result_for_failure(exc, session.net if session else None, self.settings)
                if outcome is None:
                    raise
                LOG.info("ACME step for %s ended with %s", self.name, outcome.status_message)
                return outcome
            finally:
                if session is not None:
                    session.net.session.close()
        raise AssertionError("unreachable")
