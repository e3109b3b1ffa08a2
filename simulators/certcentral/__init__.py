"""A strict simulator of DigiCert CertCentral's Services API v2 (see :mod:`.server`)."""

from simulators.certcentral.scenario import Scenario
from simulators.certcentral.server import CertCentralSimulator

__all__ = ["CertCentralSimulator", "Scenario"]
