"""The products enabled on the simulated CertCentral account.

Ids and validation types as documented (Glossary - Product identifiers). An order for
any other id gets CertCentral's ``404 not_found|product``.
"""

from __future__ import annotations

#: name_id -> (display name, validation type)
PRODUCTS: dict[str, tuple[str, str]] = {
    "ssl_basic": ("Basic OV", "ov"),
    "ssl_ev_basic": ("Basic EV", "ev"),
    "ssl_plus": ("Standard SSL", "ov"),
    "ssl_multi_domain": ("Multi-Domain SSL", "ov"),
    "ssl_wildcard": ("Wildcard SSL", "ov"),
    "ssl_ev_plus": ("EV SSL Plus", "ev"),
    "ssl_ev_multi_domain": ("EV Multi-Domain SSL", "ev"),
    "ssl_dv_geotrust": ("GeoTrust Standard DV", "dv"),
    "ssl_dv_rapidssl": ("RapidSSL Standard DV", "dv"),
    "wildcard_dv_geotrust": ("GeoTrust Wildcard DV", "dv"),
    "wildcard_dv_rapidssl": ("RapidSSL Wildcard DV", "dv"),
    "ssl_securesite_flex": ("Secure Site OV", "ov"),
    "ssl_ev_securesite_flex": ("Secure Site EV", "ev"),
    "ssl_securesite_pro": ("Secure Site Pro", "ov"),
    "ssl_ev_securesite_pro": ("Secure Site Pro EV", "ev"),
    "ssl_securesite": ("Secure Site", "ov"),
    "ssl_securesite_multi_domain": ("Secure Site Multi-Domain", "ov"),
    "ssl_securesite_wildcard": ("Secure Site Wildcard", "ov"),
    "ssl_ev_securesite": ("Secure Site EV", "ev"),
    "ssl_ev_securesite_multi_domain": ("Secure Site EV Multi-Domain", "ev"),
}

DCV_METHODS = ("email", "dns-txt-token", "dns-cname-token", "http-token")
SIGNATURE_HASHES = ("sha256", "sha384", "sha512")
#: The organization ids the simulated account has validated.
ORGANIZATIONS = {112233: "Example Org, Inc."}
