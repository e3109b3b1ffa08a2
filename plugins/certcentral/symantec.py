"""The ``symantec`` plugin: Symantec-brand certificates, ordered through CertCentral.

Symantec's own CA API no longer exists. DigiCert bought Symantec's website-security
business in 2017, Chrome distrusted the old Symantec roots in 2018, and the legacy
Symantec/GeoTrust/Thawte/RapidSSL ordering platforms and their APIs were shut in 2020.
The Symantec-brand products (Secure Site, Secure Site Pro and their EV variants) are
still sold, issued by DigiCert and ordered through CertCentral. This plugin therefore
is :class:`CertCentralPlugin` with its own product catalogue (default
``ssl_securesite_flex``, Secure Site OV) and settings (``[plugins.symantec]`` or
``CERTORDER_SYMANTEC_*``); see ``docs/plugins/symantec.md``.
"""

from __future__ import annotations

from typing import ClassVar

from certorder.plugins.certcentral.plugin import CertCentralPlugin
from certorder.plugins.certcentral.settings import (
    CertCentralOrderMeta,
    CertCentralSettings,
    SymantecOrderMeta,
    SymantecSettings,
)


class SymantecPlugin(CertCentralPlugin):
    """Orders Symantec Secure Site certificates from DigiCert CertCentral."""

    settings_class: ClassVar[type[CertCentralSettings]] = SymantecSettings
    order_meta_model: ClassVar[type[CertCentralOrderMeta]] = SymantecOrderMeta
    brand: ClassVar[str] = "CertCentral (Symantec)"
