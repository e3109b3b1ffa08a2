"""The certificate plugin contract: what a CA plugin implements and what the core promises.

A plugin is a class derived from :class:`CertificatePluginBase`, published under the
entry-point group ``certorder.certificate.plugin`` (see ``docs/plugin-development.md``).

Lifecycle
---------
1. The worker reads its settings, and for each enabled plugin name loads the entry
   point and constructs the class **once**, with a :class:`PluginContext`. A
   constructor that raises stops start-up with a message naming the plugin.
2. For a new order the core picks a plugin (``order_meta["plugin_name"]``, else the
   owner of ``order_meta["ca_id"]``, else the first enabled plugin whose
   :meth:`~CertificatePluginBase.supports` is true and that supports the request type),
   validates ``order_meta`` with :attr:`~CertificatePluginBase.order_meta_model`, and
   only then starts the order.
3. The core calls ``issue_certificate_request`` with an empty ``plugin_meta``, then
   follows the returned :class:`CertificateStatus` (its docstring lists the rules):
   ``check_certificate_status`` after a wait, the same method again after an outage,
   ``modify_certificate_request`` / ``cancel_certificate_request`` when the client asks.
4. At shutdown the worker calls :meth:`~CertificatePluginBase.close`.

Rules for order methods
-----------------------
* They are plain (blocking) functions; the core runs them in a thread pool, so several
  orders may call one plugin instance at once. Keep per-order state in ``plugin_meta``,
  not on ``self``.
* ``plugin_meta`` is a JSON-serialisable dict that belongs to the plugin. Change it in
  place; the core persists it when the call returns and passes it back on every later
  call for the order. Store remote identifiers there, never credentials.
* A call may run more than once: if the worker dies mid-call, the core calls again with
  the ``plugin_meta`` it last persisted or the plugin last reported
  (:meth:`CoreMetaDTO.report_progress`), and with ``core_meta.interrupted_since`` set.
  Make calls idempotent per ``order_id``: report the CA's request id the moment you have
  it, and when ``interrupted_since`` is set, look at the CA for a request placed since
  then for this order id before placing one.
* Return a :class:`ResultDTO`. Raise :class:`CAUnavailableError` (or return
  ``CA_UNAVAILABLE_FOR_REQUEST``) when the CA cannot be reached; any other exception ends
  the order in ``ERROR`` with the exception's type and message (see ``errors``).
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from certorder.plugins.interface.ca_methods import CAMethods
from certorder.plugins.interface.csr import csr_pem, load_csr
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
from certorder.plugins.interface.lifecycle_methods import LifecycleMethods
from certorder.plugins.interface.renewal_info import RenewalWindow
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

# The whole contract is importable from this one module (as Barbican's
# barbican.plugin.interface.certificate_manager was): plugin authors need no other.
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
    "RenewalWindow",
    "ResultDTO",
    "RevocationReason",
    "RevocationResult",
    "RevocationStatus",
    "SharedState",
    "UnknownCAError",
    "csr_pem",
    "load_csr",
]


class PluginContext(BaseModel):
    """What the core gives a plugin when constructing it.

    :param name: the entry-point name the plugin was enabled under.
    :param data_dir: a directory that belongs to this plugin (created by the core).
    :param options: the ``[plugins.<name>]`` table of the settings file; validate it with
        your own pydantic settings model.
    :param shared: state every worker's instance of this plugin shares (see
        ``shared_state``); ``None`` when no core runs the plugin (its unit tests).
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    name: str
    data_dir: Path
    options: Mapping[str, Any] = Field(default_factory=dict)
    shared: SharedState | None = None


class CertificatePluginBase(CAMethods, LifecycleMethods, abc.ABC):
    """Base class of every certificate plugin.

    Subclasses implement the four order methods. Everything else has a default that
    describes a plugin with one CA, no sub-CAs, and no plugin-specific order fields.
    """

    #: Optional pydantic model of the plugin's own ``order_meta`` fields. The core
    #: validates every new order with it *before* the order starts; keep pydantic's
    #: default ``extra="ignore"`` so the core's keys pass through.
    order_meta_model: ClassVar[type[BaseModel] | None] = None

    #: True only for a plugin whose order methods answer in well under a second and
    #: are safe to run again for the same ``order_id`` with the same ``plugin_meta``
    #: (a second run returns what the first did, and places nothing twice at the CA).
    #: The core then calls them as Temporal *local activities*: no activity task, one
    #: history event per call instead of six. The price: a local activity does not
    #: heartbeat, so :meth:`CoreMetaDTO.report_progress` is not persisted, and a worker
    #: that dies mid-call (or before its workflow task completes) has the call run
    #: again from the previous ``plugin_meta``. Remote CAs leave this False.
    quick_calls: ClassVar[bool] = False

    #: True for a remote CA whose :meth:`check_certificate_status` answers within
    #: seconds and only reads (or does something harmless to repeat): a second run,
    #: even one overlapping the first, places nothing at the CA. The core then makes
    #: the *checks* as local activities (a poll cycle costs 7 history events, not 12),
    #: while issue, modify and cancel stay activities with heartbeats. The same price
    #: as ``quick_calls``, for checks only: no heartbeat, a hung check holds the
    #: order's workflow task until the call timeout, and a check whose worker dies is
    #: made again. Implied by ``quick_calls``.
    quick_checks: ClassVar[bool] = False

    def __init__(self, context: PluginContext) -> None:
        self.context = context

    @property
    def name(self) -> str:
        """The entry-point name this plugin was loaded under."""
        return self.context.name

    # -- order methods ---------------------------------------------------------------

    @abc.abstractmethod
    def issue_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Start a certificate order. ``plugin_meta`` is empty on the first call.

        Return ``CERTIFICATE_GENERATED`` with the certificate if the CA issues at once,
        ``WAITING_FOR_CA`` if it will take time, ``CLIENT_DATA_ISSUE_SEEN`` if the client
        must act, ``CA_UNAVAILABLE_FOR_REQUEST`` to be called again later, or
        ``INVALID_OPERATION`` if the order can never succeed.
        """

    @abc.abstractmethod
    def check_certificate_status(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Ask the CA how the order stands. Called after ``WAITING_FOR_CA`` or
        ``CLIENT_DATA_ISSUE_SEEN``; the result is handled as for an issue call."""

    @abc.abstractmethod
    def modify_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Apply the client's changes to a pending order. ``order_meta`` is the merged,
        updated dictionary. Return ``INVALID_OPERATION`` or ``CLIENT_DATA_ISSUE_SEEN``
        with a message when the CA cannot apply the change."""

    @abc.abstractmethod
    def cancel_certificate_request(
        self, order_id: str, order_meta: dict, plugin_meta: dict, core_meta: CoreMetaDTO
    ) -> ResultDTO:
        """Cancel a pending order at the CA. Return ``REQUEST_CANCELED`` when done, or
        ``WAITING_FOR_CA`` when the CA will cancel later (the core then checks status)."""

    # -- selection -------------------------------------------------------------------

    def supports(self, order_meta: Mapping[str, Any]) -> bool:
        """Whether this plugin can fulfil an order; asked only when the client named
        neither a plugin nor a CA. Default: yes."""
        return True

    def supported_request_types(self) -> Sequence[CertificateRequestType]:
        """Request types this plugin accepts. Default: ``simple-cmc`` (a PKCS#10 CSR)."""
        return (CertificateRequestType.SIMPLE_CMC,)

    def validate_order_meta(self, order_meta: Mapping[str, Any]) -> None:
        """Reject unusable client data before an order starts.

        The default validates with :attr:`order_meta_model`. Raise
        :class:`InvalidOrderError` with a one-line message.
        """
        if self.order_meta_model is None:
            return
        try:
            self.order_meta_model.model_validate(dict(order_meta))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "order_meta"
            raise InvalidOrderError(f"{self.name}: {field}: {first['msg']}") from None

    def close(self) -> None:  # noqa: B027 - an optional hook, not an abstract method
        """Release connections and files; called once at worker shutdown."""
