"""The renewal-information activity of managed certificates: ask the plugin that issued
a certificate when its CA suggests renewing it (ACME ARI, RFC 9773).

Every answer is an answer: a window, "nothing suggested", or why it could not be asked.
A failure here never fails the renewal: the workflow keeps its own policy's time.
"""

from __future__ import annotations

import copy
import logging

from pydantic import BaseModel
from temporalio import activity

from certorder.plugins.interface.errors import CAUnavailableError, PluginNotFoundError
from certorder.plugins.interface.renewal_info import DEFAULT_RECHECK_SECONDS, RenewalWindow
from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore

log = logging.getLogger(__name__)

class RenewalInfoInput(BaseModel):
    order_id: str


class RenewalInfoResult(BaseModel):
    """``window`` when the CA suggested one; ``error`` when it could not be asked (then
    ``recheck_seconds`` says when to try again); neither: nothing suggested.

    ``not_on_worker``: this worker has not enabled the plugin, so it cannot know what
    the CA would suggest (why, for the certificate); the workflow asks again, of any
    worker. Alone, so that workflow code from before it reads "nothing suggested", as
    it always did, instead of asking this worker again every minute.
    """

    window: RenewalWindow | None = None
    error: str | None = None
    recheck_seconds: float | None = None
    not_on_worker: str | None = None


class RenewalInfoActivities:
    def __init__(self, plugins: PluginManager, store: CertificateStore) -> None:
        self._plugins = plugins
        self._store = store

    @activity.defn(name="suggested_renewal_window")
    def suggested_renewal_window(self, request: RenewalInfoInput) -> RenewalInfoResult:
        container = self._store.get_by_order(request.order_id)
        if container is None:
            return RenewalInfoResult(error=f"order {request.order_id} has no stored certificate")
        try:
            plugin = self._plugins.get(container.plugin_name)
        except PluginNotFoundError:
            return RenewalInfoResult(
                not_on_worker=(f"plugin {container.plugin_name!r}, which issued the "
                               "certificate, is not enabled on the worker that was asked"))
        data = self._store.revocations.order_data(request.order_id)
        order_meta = copy.deepcopy(data.order_meta) if data else {"ca_id": container.ca_id}
        plugin_meta = copy.deepcopy(data.plugin_meta) if data else {}
        describe = f"{container.plugin_name}.suggested_renewal_window"
        try:
            window = plugin.suggested_renewal_window(container.certificate, order_meta,
                                                     plugin_meta)
        except CAUnavailableError as exc:
            return RenewalInfoResult(error=str(exc), recheck_seconds=exc.retry_msec / 1000)
        except Exception as exc:  # noqa: BLE001 - a plugin failure is shown, never fatal
            log.warning("%s raised %s: %s", describe, type(exc).__name__, exc)
            return RenewalInfoResult(error=f"{describe} raised {type(exc).__name__}: {exc}",
                                     recheck_seconds=DEFAULT_RECHECK_SECONDS)
        if window is not None and not isinstance(window, RenewalWindow):
            return RenewalInfoResult(error=f"{describe} returned {type(window).__name__}, "
                                           "not a RenewalWindow",
                                     recheck_seconds=DEFAULT_RECHECK_SECONDS)
        return RenewalInfoResult(window=window)
