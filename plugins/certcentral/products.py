"""The CertCentral products each plugin may order, by product name id.

Ids are CertCentral's ``product_name_id`` values (dev.digicert.com, Glossary - Product
identifiers). The validation type decides whether an order must name an organization:
OV and EV products need ``organization.id``, DV products do not.

The ``symantec`` catalogue holds the Symantec-brand products that DigiCert still sells
through CertCentral; the ``digicert`` catalogue holds DigiCert's own brand and the
GeoTrust/RapidSSL DV products. An account can only order what is enabled on it, so a
product listed here may still be refused by CertCentral (``not_found|product``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Validation = Literal["dv", "ov", "ev"]


@dataclass(frozen=True)
class Product:
    """One orderable product: its CertCentral id, display name and validation type."""

    name_id: str
    name: str
    validation: Validation

    @property
    def needs_organization(self) -> bool:
        """OV and EV orders must name a validated organization."""
        return self.validation != "dv"


def _catalogue(*products: Product) -> dict[str, Product]:
    return {product.name_id: product for product in products}


DIGICERT_PRODUCTS = _catalogue(
    Product("ssl_basic", "Basic OV", "ov"),
    Product("ssl_ev_basic", "Basic EV", "ev"),
    Product("ssl_plus", "Standard SSL (legacy)", "ov"),
    Product("ssl_multi_domain", "Multi-Domain SSL (legacy)", "ov"),
    Product("ssl_wildcard", "Wildcard SSL (legacy)", "ov"),
    Product("ssl_ev_plus", "EV SSL (legacy)", "ev"),
    Product("ssl_ev_multi_domain", "EV Multi-Domain SSL (legacy)", "ev"),
    Product("ssl_dv_geotrust", "GeoTrust Standard DV", "dv"),
    Product("ssl_dv_rapidssl", "RapidSSL Standard DV", "dv"),
    Product("wildcard_dv_geotrust", "GeoTrust Wildcard DV", "dv"),
    Product("wildcard_dv_rapidssl", "RapidSSL Wildcard DV", "dv"),
)

SYMANTEC_PRODUCTS = _catalogue(
    Product("ssl_securesite_flex", "Secure Site OV", "ov"),
    Product("ssl_ev_securesite_flex", "Secure Site EV", "ev"),
    Product("ssl_securesite_pro", "Secure Site Pro", "ov"),
    Product("ssl_ev_securesite_pro", "Secure Site Pro EV", "ev"),
    Product("ssl_securesite", "Secure Site (legacy)", "ov"),
    Product("ssl_securesite_multi_domain", "Secure Site Multi-Domain (legacy)", "ov"),
    Product("ssl_securesite_wildcard", "Secure Site Wildcard (legacy)", "ov"),
    Product("ssl_ev_securesite", "Secure Site EV (legacy)", "ev"),
    Product("ssl_ev_securesite_multi_domain", "Secure Site EV Multi-Domain (legacy)", "ev"),
)

#: DCV methods CertCentral accepts in ``dcv_method`` (Glossary - DCV methods).
DCV_METHODS = ("email", "dns-txt-token", "dns-cname-token", "http-token")
#: The DCV methods DigiCert can check on demand with ``check-dcv``.
TOKEN_DCV_METHODS = ("dns-txt-token", "dns-cname-token", "http-token")
#: Signature hashes CertCentral offers for TLS products.
SIGNATURE_HASHES = ("sha256", "sha384", "sha512")
