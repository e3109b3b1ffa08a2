"""The CertCentral order flow shared by the ``digicert`` and ``symantec`` plugins.

Subclasses choose a settings class (environment prefix, default product) and an
order-meta model (product catalogue); the calls to CertCentral are the same. An order:

1. ``issue``: reuse the remote order named in ``plugin_meta``, else one an earlier
   attempt placed for this order id, else place one (see
   :mod:`certorder.plugins.certcentral.placement`); then report its state like ``check``.
2. ``check``: read the order; for a pending order with a token DCV method also ask
   DigiCert to check DCV, so the client hears what is missing in DigiCert's words.
3. ``issued``: download ``pem_all`` and split it into leaf and intermediates.

``plugin_meta`` holds ``certcentral_order_id``, ``certcentral_request_id``,
``certificate_id``, ``product``, ``dcv_method``, ``dcv_random_value`` (the public DCV
token the client must publish), ``csr_sha256`` and ``status``; never the API key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import ValidationError

from certorder.plugins.certcentral.cancel import cancel_at_certcentral
from certorder.plugins.certcentral.client import CertCentralClient, CertCentralError
from certorder.plugins.certcentral.modify import apply_modification
from certorder.plugins.certcentral.order import (
    ORDER_KEY,
    OrderPlan,
    csr_text,
    make_plan,
    remember_order,
)
from certorder.plugins.certcentral.placement import (
    OrderNotVisibleYet,
    place_once,
)
from certorder.plugins.certcentral.report import OrderReporter
from certorder.plugins.certcentral.results import (
    client_issue,
    invalid,
    unavailable,
    waiting,
)
from certorder.plugins.certcentral.revoke import revoke_at_certcentral
from certorder.plugins.certcentral.settings import (
    CertCentralOrderMeta,
    CertCentralSettings,
    load_settings,
)
from certorder.plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.dto import CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import (
    CAUnavailableError,
    InvalidOrderError,
    PluginConfigurationError,
)
from certorder.plugins.interface.revocation import RevocationReason, RevocationResult
from certorder.plugins.interface.status import CertificateRequestType, PluginMethod


class CertCentralPlugin(CertificatePluginBase):
    """Orders TLS certificates from DigiCert CertCentral (Services API v2)."""

    settings_class: ClassVar[type[CertCentralSettings]] = CertCentralSettings
    order_meta_model: ClassVar[type[CertCentralOrderMeta]] = CertCentralOrderMeta
    #: How the CA is named in messages.
    brand: ClassVar[str] = "CertCentral"
    #: A check reads the order (``GET``), downloads an issued chain (``GET``) and, for a
    #: pending token-DCV order, asks DigiCert to look for the token now (``PUT
    #: check-dcv``, harmless to repeat); it never places an order (one not placed yet
    #: sends the core back to ``issue``). Each request has the client's own timeouts.
    quick_checks: ClassVar[bool] = True

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        self.settings = load_settings(self.settings_class, context.name, context.options)
        try:
            api_key = self.settings.resolved_api_key()
        except PluginConfigurationError as exc:
            raise PluginConfigurationError(f"{context.name}: {exc}") from None
        self.client = CertCentralClient(
            self.settings.base_url,
            api_key,
            connect_timeout=self.settings.connect_timeout,
            read_timeout=self.settings.read_timeout,
            unavailable_retry_msec=self.settings.unavailable_retry_msec,
        )
        self.reporter = OrderReporter(self.client, self.settings, self.brand)

    def revoke_certificate(
        self, order_id: str, certificate: str, order_meta: dict, plugin_meta: dict,
        reason: RevocationReason,
    ) -> RevocationResult:
        """Ask CertCentral to revoke the order's certificate (see ``certcentral.revoke``)."""
        return revoke_at_certcentral(
            self.client, order_id, plugin_meta, reason, skip_approval=self.settings.skip_approval,
            retry_msec=self.settings.retry_msec, brand=self.brand)

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.client.close()

    # -- order data ------------------------------------------------------------------

    def supported_request_types(self) -> Sequence[CertificateRequestType]:
        """A CSR from the client (``simple-cmc``) or one built by the core (``stored-key``)."""
        return (CertificateRequestType.SIMPLE_CMC, CertificateRequestType.STORED_KEY)

    def supports(self, order_meta: Mapping[str, Any]) -> bool:
        """Orders that name no product, or a product of this plugin's catalogue; so with
        ``digicert`` and ``symantec`` both enabled, a Secure Site order finds its plugin."""
        profile = order_meta.get("profile")
        return profile is None or profile in self.order_meta_model.catalogue

    def validate_order_meta(self, order_meta: Mapping[str, Any]) -> None:
        """Check the product is in this plugin's catalogue and an OV/EV product has an
        organization; the CSR itself is checked by the core."""
        fields = self._fields(order_meta)
        product = self.order_meta_model.catalogue[fields.profile or self.settings.default_product]
        if product.needs_organization and not (
            fields.organization_id or self.settings.organization_id
        ):
            raise InvalidOrderError(
                f"{self.name}: product {product.name_id} needs an organization_id"
            )

    def _fields(self, order_meta: Mapping[str, Any]) -> CertCentralOrderMeta:
        try:
            return self.order_meta_model.model_validate(dict(order_meta))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "order_meta"
            raise InvalidOrderError(f"{self.name}: {field}: {first['msg']}") from None

    def plan(self, order_meta: Mapping[str, Any], core_meta: CoreMetaDTO) -> OrderPlan:
        """The order as it would be placed. :raises InvalidOrderError: on bad data."""
        return make_plan(
            self._fields(order_meta),
            self.settings,
            self.order_meta_model.catalogue,
            load_csr(csr_text(order_meta, core_meta)),
        )

    # -- order methods ---------------------------------------------------------------

    def issue_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Place the CertCentral order (at most once per ``order_id``) and report it."""
        if plugin_meta.get(ORDER_KEY):
            return self.check_certificate_status(order_id, order_meta, plugin_meta, core_meta)
        try:
            plan = self.plan(order_meta, core_meta)
        except InvalidOrderError as exc:
            return invalid(str(exc))
        try:
            placed = place_once(
                self.client, self.settings, order_id, plan, plugin_meta, core_meta
            )
            remember_order(plugin_meta, placed, plan)
            core_meta.report_progress(plugin_meta)
            if placed.get("certificate_chain"):
                pems = [link["pem"] for link in placed["certificate_chain"] if link.get("pem")]
                return self.reporter.generated(pems, plan.csr, plugin_meta)
            return self.reporter.report(plugin_meta, plan.csr)
        except OrderNotVisibleYet as exc:
            return waiting(f"{self.brand}: {exc}", self.settings.unavailable_retry_msec).model_copy(
                update={"retry_method": PluginMethod.ISSUE}
            )
        except CAUnavailableError as exc:
            return unavailable(exc)
        except CertCentralError as exc:
            return invalid(f"{self.brand} refused the order: {exc.message} ({exc.code})")

    def check_certificate_status(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Read the order at CertCentral and map its status."""
        if not plugin_meta.get(ORDER_KEY):
            return waiting(f"no {self.brand} order placed yet", 0).model_copy(
                update={"retry_method": PluginMethod.ISSUE}
            )
        try:
            csr = load_csr(csr_text(order_meta, core_meta))
            return self.reporter.report(plugin_meta, csr)
        except InvalidOrderError as exc:
            return invalid(str(exc))
        except CAUnavailableError as exc:
            return unavailable(exc)
        except CertCentralError as exc:
            remote_id = plugin_meta[ORDER_KEY]
            return invalid(f"{self.brand} order {remote_id}: {exc.message} ({exc.code})")

    def modify_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Apply what CertCentral allows on a pending order: a new DCV method, resent DCV
        emails. A new CSR or common name is refused (``INVALID_OPERATION``); other
        changes that cannot be applied are reported (``CLIENT_DATA_ISSUE_SEEN``)."""
        if not plugin_meta.get(ORDER_KEY):
            return waiting(
                f"no {self.brand} order placed yet; the changes apply when it is placed", 0
            ).model_copy(update={"retry_method": PluginMethod.ISSUE})
        try:
            plan = self.plan(order_meta, core_meta)
        except InvalidOrderError as exc:
            return client_issue(f"changes not applied: {exc}", self.settings.dcv_retry_msec)
        try:
            resend = self._fields(order_meta).resend_dcv_emails
            refusal = apply_modification(self.client, plan, plugin_meta, self.settings, resend)
            if refusal is not None:
                return refusal
            return self.reporter.report(plugin_meta, plan.csr)
        except CAUnavailableError as exc:
            return unavailable(exc)
        except CertCentralError as exc:
            return client_issue(
                f"{self.brand} did not accept the change: {exc.message} ({exc.code})",
                self.settings.dcv_retry_msec,
            )

    def cancel_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Cancel the pending CertCentral order (also one placed before a crash)."""
        return cancel_at_certcentral(
            self.client, self.settings, self.brand, order_id, plugin_meta, core_meta,
            plan_order=lambda: self.plan(order_meta, core_meta))
