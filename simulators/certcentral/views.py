"""The JSON bodies the simulator returns for an order (Order info, List orders,
immediate issuance), in the documented shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cryptography.x509.oid import NameOID

from simulators.certcentral.ca import SimulatorCA, pem
from simulators.certcentral.products import ORGANIZATIONS, PRODUCTS

if TYPE_CHECKING:
    from simulators.certcentral.account import Order


def chain(order: Order, ca: SimulatorCA) -> list[dict]:
    """``certificate_chain`` of an immediate issuance: leaf, intermediate, root."""
    assert order.certificate is not None
    links = [order.certificate, ca.intermediate, ca.root]
    return [{"subject_common_name": _cn(c), "pem": pem(c)} for c in links]


def _cn(cert) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def describe(order: Order) -> dict:
    """The Order info body."""
    name, validation = PRODUCTS[order.req.product]
    certificate: dict = {
        "id": order.certificate_id,
        "common_name": order.req.common_name,
        "dns_names": order.req.dns_names,
        "csr": order.req.csr_pem,
        "signature_hash": order.req.signature_hash,
        "date_created": order.created,
    }
    if order.certificate is not None:
        certificate["serial_number"] = format(order.certificate.serial_number, "X")
        certificate["valid_till"] = order.certificate.not_valid_after_utc.date().isoformat()
    request = {
        "id": order.request_id,
        "date": order.created,
        "type": "new_request",
        "status": order.request_status,
        "comments": order.req.comments or "",
    }
    if order.processor_comment:
        request["processor_comment"] = order.processor_comment
    info: dict = {
        "id": order.id,
        "certificate": certificate,
        "status": order.status,
        "date_created": order.created,
        "product": {
            "name_id": order.req.product,
            "name": name,
            "type": "ssl_certificate",
            "validation_type": validation,
        },
        "requests": [request, *(dict(r) for r in order.revoke_requests)],
        "dcv_method": order.req.dcv_method,
    }
    if order.req.organization_id is not None:
        info["organization"] = {
            "id": order.req.organization_id,
            "name": ORGANIZATIONS[order.req.organization_id],
        }
    if order.req.custom_fields:
        info["custom_fields"] = order.req.custom_fields
    return info


def summary(order: Order) -> dict:
    """One entry of the List orders answer."""
    name, _ = PRODUCTS[order.req.product]
    return {
        "id": order.id,
        "status": order.status,
        "date_created": order.created,
        "certificate": {
            "id": order.certificate_id,
            "common_name": order.req.common_name,
            "dns_names": order.req.dns_names,
            "signature_hash": order.req.signature_hash,
        },
        "product": {"name_id": order.req.product, "name": name, "type": "ssl_certificate"},
        "product_name_id": order.req.product,
    }
