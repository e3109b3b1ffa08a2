"""Public API for certificate plugin authors.

Everything a plugin needs is importable from here::

    from certorder.plugins import CertificatePluginBase, CertificateStatus, ResultDTO
"""

from certorder.plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from certorder.plugins.interface.dto import (
    MAX_RETRY_MSEC,
    RETRY_MSEC,
    CACreateDTO,
    CAInfo,
    CoreMetaDTO,
    ResultDTO,
)
from certorder.plugins.interface.errors import (
    ERROR_RETRY_MSEC,
    CAOperationError,
    CAUnavailableError,
    CertificatePluginError,
    InvalidOrderError,
    PluginConfigurationError,
    PluginLoadError,
    PluginNotFoundError,
    UnknownCAError,
)
from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)
from certorder.plugins.interface.shared_state import MemorySharedState, SharedState
from certorder.plugins.interface.status import (
    CertificateRequestType,
    CertificateStatus,
    PluginMethod,
)

__all__ = [
    "CACreateDTO",
    "CAInfo",
    "CAOperationError",
    "CAUnavailableError",
    "CertificatePluginBase",
    "CertificatePluginError",
    "CertificateRequestType",
    "CertificateStatus",
    "CoreMetaDTO",
    "ERROR_RETRY_MSEC",
    "InvalidOrderError",
    "MAX_RETRY_MSEC",
    "MemorySharedState",
    "PluginConfigurationError",
    "PluginContext",
    "PluginLoadError",
    "PluginMethod",
    "PluginNotFoundError",
    "RETRY_MSEC",
    "ResultDTO",
    "RevocationReason",
    "RevocationResult",
    "RevocationStatus",
    "SharedState",
    "UnknownCAError",
]
