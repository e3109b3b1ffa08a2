"""The ``digicert`` plugin: DigiCert TLS certificates ordered through CertCentral.

Entry point ``digicert``. Products are DigiCert's own (default ``ssl_basic``, Basic
OV) and the GeoTrust/RapidSSL DV products; settings come from ``[plugins.digicert]``
or ``CERTORDER_DIGICERT_*``. The order flow is :class:`CertCentralPlugin`'s; see
``docs/plugins/digicert.md``.
"""

from __future__ import annotations

from typing import ClassVar

from certorder.plugins.certcentral.plugin import CertCentralPlugin
from certorder.plugins.certcentral.settings import (
    CertCentralOrderMeta,
    CertCentralSettings,
    DigiCertOrderMeta,
    DigiCertSettings,
)


class DigiCertPlugin(CertCentralPlugin):
    """Orders DigiCert-brand (and GeoTrust/RapidSSL DV) certificates from CertCentral."""

    settings_class: ClassVar[type[CertCentralSettings]] = DigiCertSettings
    order_meta_model: ClassVar[type[CertCentralOrderMeta]] = DigiCertOrderMeta
    brand: ClassVar[str] = "DigiCert"
