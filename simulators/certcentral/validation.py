"""Strict checks of an order body, as CertCentral applies them.

``POST order/certificate/{product}`` must carry ``certificate.common_name``,
``certificate.csr`` (a parseable CSR whose names cover the order's names, since the API
does not read names from the CSR), ``certificate.signature_hash``, a validity
(``validity_years``, ``validity_days``, ``custom_expiration_date`` or
``order_validity``), and ``organization.id`` for OV and EV products.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.x509.oid import NameOID

from simulators.certcentral import errors
from simulators.certcentral.products import (
    DCV_METHODS,
    ORGANIZATIONS,
    PRODUCTS,
    SIGNATURE_HASHES,
)


@dataclass(frozen=True)
class OrderRequest:
    """A validated order body."""

    product: str
    csr: x509.CertificateSigningRequest
    csr_pem: str
    common_name: str
    dns_names: list[str]
    signature_hash: str
    validity_days: int
    dcv_method: str
    organization_id: int | None
    comments: str | None
    custom_fields: list[dict]


def _csr_names(csr: x509.CertificateSigningRequest) -> set[str]:
    names = {str(a.value).lower() for a in csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)}
    try:
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names |= {n.lower() for n in sans.value.get_values_for_type(x509.DNSName)}
    except x509.ExtensionNotFound:
        pass
    return names


def _validity_days(body: dict) -> int:
    if isinstance(body.get("validity_years"), int) and body["validity_years"] >= 1:
        return min(397, 365 * body["validity_years"])
    if isinstance(body.get("validity_days"), int) and body["validity_days"] >= 1:
        return min(397, body["validity_days"])
    if isinstance(body.get("order_validity"), dict) or body.get("custom_expiration_date"):
        return 397
    raise errors.missing("validity_years")


def validate_order(product: str, body: object) -> OrderRequest:
    """Check an order body; :raises ApiError: with the error CertCentral would give."""
    if product not in PRODUCTS:
        raise errors.not_found("product")
    if not isinstance(body, dict):
        raise errors.bad_format()
    certificate = body.get("certificate")
    if not isinstance(certificate, dict):
        raise errors.missing("certificate")
    for field in ("common_name", "csr", "signature_hash"):
        if not isinstance(certificate.get(field), str) or not certificate[field].strip():
            raise errors.missing(f"certificate.{field}")
    if certificate["signature_hash"] not in SIGNATURE_HASHES:
        raise errors.invalid("certificate.signature_hash", "Invalid signature hash.")
    try:
        csr = x509.load_pem_x509_csr(certificate["csr"].encode())
        if not csr.is_signature_valid:
            raise ValueError("bad signature")
    except ValueError:
        raise errors.csr_unparseable() from None
    common_name = certificate["common_name"].lower()
    dns_names = certificate.get("dns_names") or []
    if not isinstance(dns_names, list) or not all(isinstance(n, str) for n in dns_names):
        raise errors.invalid("certificate.dns_names", "dns_names must be a list of strings.")
    in_csr = _csr_names(csr)
    for name in [common_name, *(n.lower() for n in dns_names)]:
        if name not in in_csr:
            raise errors.invalid(
                "certificate.common_name" if name == common_name else "certificate.dns_names",
                f"The name {name} does not appear in the CSR.",
            )
    organization_id = None
    if PRODUCTS[product][1] != "dv":
        organization = body.get("organization")
        if not isinstance(organization, dict) or not isinstance(organization.get("id"), int):
            raise errors.missing("organization.id")
        if organization["id"] not in ORGANIZATIONS:
            raise errors.invalid("organization.id", "The organization was not found.")
        organization_id = organization["id"]
    dcv_method = body.get("dcv_method", "email")
    if dcv_method not in DCV_METHODS:
        raise errors.invalid("dcv_method", "Invalid DCV method.")
    comments = body.get("comments")
    if comments is not None and not isinstance(comments, str):
        raise errors.invalid("comments", "comments must be a string.")
    custom_fields = body.get("custom_fields") or []
    if not isinstance(custom_fields, list) or not all(
        isinstance(f, dict) and isinstance(f.get("metadata_id"), int) for f in custom_fields
    ):
        raise errors.invalid("custom_fields", "custom_fields need metadata_id and value.")
    return OrderRequest(
        product=product,
        csr=csr,
        csr_pem=certificate["csr"],
        common_name=common_name,
        dns_names=[n.lower() for n in dns_names],
        signature_hash=certificate["signature_hash"],
        validity_days=_validity_days(body),
        dcv_method=dcv_method,
        organization_id=organization_id,
        comments=comments,
        custom_fields=custom_fields,
    )


def date_range(value: str) -> tuple[str, str]:
    """``(first, last)`` ISO dates of a ``YYYY-MM-DD...YYYY-MM-DD`` filter value."""
    first, sep, last = value.partition("...")
    try:
        if not sep:
            raise ValueError(value)
        return dt.date.fromisoformat(first).isoformat(), dt.date.fromisoformat(last).isoformat()
    except ValueError:
        raise errors.invalid(
            "filters[date_created]", "Use a date range in the format YYYY-MM-DD...YYYY-MM-DD."
        ) from None
