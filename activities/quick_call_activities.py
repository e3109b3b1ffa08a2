"""A quick plugin's call and the store write of the certificate it generated, as one
activity: the workflow runs it as one local activity (one history event, no workflow
task in between), for plugins that declare ``quick_calls``, and for the checks of
plugins that declare ``quick_checks`` (docs/performance.md)."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import Executor

from temporalio import activity
from temporalio.exceptions import ApplicationError

from certorder.activities.ca_activities import CaActivities
from certorder.activities.models import QuickCallInput, QuickCallResult
from certorder.activities.store_activities import StoreActivities
from certorder.activities.store_calls import STORE_UNAVAILABLE
from certorder.plugins.interface.status import CertificateStatus


class QuickCallActivities:
    """The plugin on the plugin threads, the store on the store's (never the reverse)."""

    def __init__(self, ca: CaActivities, storage: StoreActivities, executor: Executor) -> None:
        self._ca = ca
        self._storage = storage
        self._executor = executor

    @activity.defn(name="quick_plugin_call")
    async def quick_plugin_call(self, request: QuickCallInput) -> QuickCallResult:
        """Call the plugin; if it generated the certificate and ``request.store`` is
        given, check and store it. Both are safe to repeat: the plugin says so of
        itself, and the store keeps one certificate per order id."""
        context = contextvars.copy_context()
        result = await asyncio.get_running_loop().run_in_executor(
            self._executor, context.run, self._ca.call, request.method, request.call)
        if request.store is None or result.status is not CertificateStatus.CERTIFICATE_GENERATED:
            return QuickCallResult(result=result)
        store = request.store.model_copy(update={
            "certificate": result.certificate or "", "intermediates": result.intermediates,
            "plugin_meta": result.plugin_meta})
        try:
            stored = await self._storage.store_certificate(store)
        except ApplicationError as exc:
            if exc.type != STORE_UNAVAILABLE:
                raise
            return QuickCallResult(result=result, store_unavailable=exc.message)
        return QuickCallResult(result=result, stored=stored)
