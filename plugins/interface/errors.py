"""Exceptions of the plugin layer, and what the core does with each.

::

    CertificatePluginError           root: anything raised by plugins or the manager
     ├─ PluginConfigurationError     a plugin's settings are wrong or its files unusable;
     │                               raised at construction, it stops worker start-up
     ├─ PluginLoadError              the manager could not load a configured plugin
     ├─ PluginNotFoundError          no plugin by that name, for that ca_id, or that
     │                               supports the order
     ├─ InvalidOrderError            the client's order_meta is unusable (bad CSR,
     │                               unknown profile, ...); rejected before an order starts
     ├─ CAUnavailableError           the CA cannot be reached right now; from an order
     │                               method the core treats it exactly like a
     │                               CA_UNAVAILABLE_FOR_REQUEST result (same method again
     │                               after ``retry_msec``)
     └─ CAOperationError             a CA-management call (create_ca, delete_ca, ...) failed
         └─ UnknownCAError           no CA with that id

Any *other* exception escaping an order method (including ``InvalidOrderError``)
ends the order in ``ERROR``, with the exception's type as sub-status and its
message as sub-status message. The core never retries it: a plugin that wants a
retry returns a result that asks for one. Messages are shown to users, so they must
say what is wrong and must never contain credentials.
"""

from __future__ import annotations

#: Default delay before retrying a call that met an unavailable CA (5 minutes).
ERROR_RETRY_MSEC = 300_000


class CertificatePluginError(Exception):
    """Root of every error the plugin layer raises on purpose."""


class PluginConfigurationError(CertificatePluginError):
    """A plugin's settings are invalid or its resources unusable."""


class PluginLoadError(CertificatePluginError):
    """A configured plugin could not be loaded; the message names plugin and cause."""


class PluginNotFoundError(CertificatePluginError):
    """No plugin matches a name, a ca_id, or an order."""


class InvalidOrderError(CertificatePluginError):
    """The client's order data cannot be used; the message says which field and why."""


class CAUnavailableError(CertificatePluginError):
    """The CA cannot be reached now; the core calls the same method again later.

    :param retry_msec: how long to wait before the next attempt (default 5 minutes).
    """

    def __init__(self, message: str, retry_msec: int = ERROR_RETRY_MSEC) -> None:
        super().__init__(message)
        self.retry_msec = retry_msec


class CAOperationError(CertificatePluginError):
    """A CA-management operation failed or is not supported."""


class UnknownCAError(CAOperationError):
    """No CA with the given id is known to the plugin."""
