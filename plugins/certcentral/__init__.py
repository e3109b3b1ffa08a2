"""DigiCert CertCentral: the ``digicert`` and ``symantec`` plugins share one order flow
(``docs/plugins/digicert.md``, ``docs/plugins/symantec.md``)."""

from certorder.plugins.certcentral.digicert import DigiCertPlugin
from certorder.plugins.certcentral.plugin import CertCentralPlugin
from certorder.plugins.certcentral.symantec import SymantecPlugin

__all__ = ["CertCentralPlugin", "DigiCertPlugin", "SymantecPlugin"]
