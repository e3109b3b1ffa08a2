"""What a CertCentral plugin sends when it places an order.

CertCentral does not read subject fields from the CSR: the common name and the extra
DNS names must be sent explicitly, and they must agree with the CSR. They are taken
from the CSR here (CN, else the first DNS SAN), so they always do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from certorder.plugins.certcentral.products import Product
from certorder.plugins.certcentral.settings import CertCentralOrderMeta, CertCentralSettings
from certorder.plugins.certcentral.tracking import order_mark
from certorder.plugins.interface.csr import csr_pem
from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.errors import InvalidOrderError
from certorder.plugins.interface.status import CertificateRequestType

#: The plugin_meta key holding the CertCentral order id.
ORDER_KEY = "certcentral_order_id"


@dataclass(frozen=True)
class OrderPlan:
    """Everything needed to place (or find) the CertCentral order for one certorder order."""

    product: Product
    csr: x509.CertificateSigningRequest
    common_name: str
    dns_names: tuple[str, ...]
    dcv_method: str
    organization_id: int | None
    validity_years: int
    signature_hash: str

    @property
    def csr_sha256(self) -> str:
        """Fingerprint of the CSR, kept in plugin_meta to notice a changed CSR."""
        return hashlib.sha256(self.csr.public_bytes(Encoding.DER)).hexdigest()


def csr_names(csr: x509.CertificateSigningRequest) -> tuple[str, tuple[str, ...]]:
    """``(common_name, other_dns_names)`` of a CSR.

    :raises InvalidOrderError: if the CSR names no domain at all.
    """
    try:
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        dns = [name.lower() for name in sans.value.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        dns = []
    cns = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common_name = str(cns[0].value).lower() if cns else (dns[0] if dns else "")
    if not common_name:
        raise InvalidOrderError("the CSR has neither a common name nor a DNS subjectAltName")
    others = tuple(dict.fromkeys(name for name in dns if name != common_name))
    return common_name, others


def make_plan(
    fields: CertCentralOrderMeta,
    settings: CertCentralSettings,
    catalogue: Mapping[str, Product],
    csr: x509.CertificateSigningRequest,
) -> OrderPlan:
    """Combine the client's fields, the plugin's settings and the CSR.

    :raises InvalidOrderError: for an OV/EV product without an organization.
    """
    product = catalogue[fields.profile or settings.default_product]
    organization_id = fields.organization_id or settings.organization_id
    if product.needs_organization and organization_id is None:
        raise InvalidOrderError(
            f"product {product.name_id} ({product.validation.upper()}) needs an organization: "
            "set organization_id in the order or the plugin settings"
        )
    common_name, dns_names = csr_names(csr)
    return OrderPlan(
        product=product,
        csr=csr,
        common_name=common_name,
        dns_names=dns_names,
        dcv_method=fields.dcv_method or settings.default_dcv_method,
        organization_id=organization_id if product.needs_organization else None,
        validity_years=fields.validity_years or settings.validity_years,
        signature_hash=fields.signature_hash or settings.signature_hash,
    )


def order_body(plan: OrderPlan, order_id: str, settings: CertCentralSettings) -> dict[str, Any]:
    """The JSON body of ``POST order/certificate/{product}``, marked with ``order_id``."""
    certificate: dict[str, Any] = {
        "common_name": plan.common_name,
        "csr": csr_pem(plan.csr),
        "signature_hash": plan.signature_hash,
    }
    if plan.dns_names:
        certificate["dns_names"] = list(plan.dns_names)
    body: dict[str, Any] = {
        "certificate": certificate,
        "validity_years": plan.validity_years,
        "dcv_method": plan.dcv_method,
        "comments": order_mark(order_id),
    }
    if plan.organization_id is not None:
        body["organization"] = {"id": plan.organization_id}
    if settings.container_id is not None:
        body["container"] = {"id": settings.container_id}
    if settings.skip_approval:
        body["skip_approval"] = True
    if settings.tracking_metadata_id is not None:
        body["custom_fields"] = [
            {"metadata_id": settings.tracking_metadata_id, "value": order_mark(order_id)}
        ]
    return body


def remember_order(plugin_meta: dict, order: dict, plan: OrderPlan) -> None:
    """Record a placed (or found) order's identifiers and DCV state in plugin_meta."""
    plugin_meta[ORDER_KEY] = int(order["id"])
    requests = order.get("requests") or []
    if requests and isinstance(requests[0], dict) and "id" in requests[0]:
        plugin_meta["certcentral_request_id"] = requests[0]["id"]
    if order.get("certificate_id"):
        plugin_meta["certificate_id"] = order["certificate_id"]
    plugin_meta["product"] = plan.product.name_id
    plugin_meta["dcv_method"] = order.get("dcv_method") or plan.dcv_method
    if order.get("dcv_random_value"):
        plugin_meta["dcv_random_value"] = order["dcv_random_value"]
    plugin_meta["csr_sha256"] = plan.csr_sha256


def csr_text(order_meta: Mapping[str, Any], core_meta: CoreMetaDTO) -> str | bytes:
    """The order's CSR: the client's ``request_data``, or the core's for stored-key orders."""
    if order_meta.get("request_type") == CertificateRequestType.STORED_KEY:
        if not core_meta.generated_csr:
            raise InvalidOrderError("stored-key order has no CSR generated by the core")
        return core_meta.generated_csr
    data = order_meta.get("request_data") or core_meta.generated_csr
    if not data or not isinstance(data, str | bytes):
        raise InvalidOrderError("order_meta has no request_data (a PEM CSR)")
    return data
