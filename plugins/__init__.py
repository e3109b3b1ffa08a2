"""Public API for certificate plugin authors.

Everything a plugin needs is importable from here::

    from plugins import CertificatePluginBase, CertificateStatus, ResultDTO
"""

from plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from plugins.interface.dto import (
    MAX_RETRY_MSEC,
    RETRY_MSEC,
    CACreateDTO,
    CAInfo,
    CoreMetaDTO,
    ResultDTO,
)
from plugins.interface.errors import (
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
from plugins.interface.status import CertificateRequestType, CertificateStatus, PluginMethod

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
    "PluginConfigurationError",
    "PluginContext",
    "PluginLoadError",
    "PluginMethod",
    "PluginNotFoundError",
    "RETRY_MSEC",
    "ResultDTO",
    "UnknownCAError",
]
