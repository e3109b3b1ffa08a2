"""Activities of a revocation: find the certificate, call the plugin, record the outcome.

Plugin calls block (HTTP, signing), so these are plain functions that the worker runs
in its thread pool. A plugin exception ends the revocation in ERROR (non-retryable),
an unreachable CA is an answer like any other; a worker that dies mid-call is left to
Temporal, which retries the activity, and the plugin's idempotence (an already
revoked certificate answers "revoked") makes that safe.
"""

from __future__ import annotations

import copy

from cryptography import x509
from temporalio import activity

from certorder.activities.plugin_errors import plugin_failures_end_the_order
from certorder.activities.revocation_models import (
    RecordRevocationInput,
    RevocationTarget,
    RevocationTargetInput,
    RevokeCallInput,
    RevokeCallResult,
)
from certorder.plugins.interface.errors import CAUnavailableError, PluginNotFoundError
from certorder.plugins.interface.revocation import RevocationResult, RevocationStatus
from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore


class RevocationActivities:
    """Revocation steps, bound to the worker's plugins and store."""

    def __init__(self, plugins: PluginManager, store: CertificateStore) -> None:
        self._plugins = plugins
        self._store = store

    @activity.defn(name="find_revocation_target")
    def find_revocation_target(self, request: RevocationTargetInput) -> RevocationTarget:
        """The order's certificate and plugin, or why it cannot be revoked here."""
        container = self._store.get_by_order(request.order_id)
        if container is None:
            return RevocationTarget(refusal=f"order {request.order_id} has no stored certificate")
        serial = format(x509.load_pem_x509_certificate(
            container.certificate.encode()).serial_number, "x")
        recorded = self._store.revocations.get(request.order_id)
        if recorded is not None:
            return RevocationTarget(plugin_name=container.plugin_name, serial=serial,
                                    recorded_at=recorded.revoked_at)
        try:
            plugin = self._plugins.get(container.plugin_name)
        except PluginNotFoundError:
            # Also a refusal, for workflow code of before not_on_worker (a rolling
            # deploy): it ends the revocation REFUSED, as it always did.
            why = self._not_enabled(container.plugin_name)
            return RevocationTarget(plugin_name=container.plugin_name, serial=serial,
                                    not_on_worker=why, refusal=why)
        with plugin_failures_end_the_order(f"{container.plugin_name}.supports_revocation"):
            supported = plugin.supports_revocation()
        if not supported:
            return RevocationTarget(
                plugin_name=container.plugin_name, serial=serial,
                refusal=f"plugin {container.plugin_name!r} offers no revocation")
        data = self._store.revocations.order_data(request.order_id)
        return RevocationTarget(
            plugin_name=container.plugin_name, certificate=container.certificate, serial=serial,
            order_meta=data.order_meta if data else {"ca_id": container.ca_id},
            plugin_meta=data.plugin_meta if data else {})

    @activity.defn(name="revoke_certificate")
    def revoke_certificate(self, call: RevokeCallInput) -> RevokeCallResult:
        """One call of the plugin's ``revoke_certificate``."""
        describe = f"{call.plugin_name}.revoke_certificate"
        if call.plugin_name not in self._plugins.names:
            return RevokeCallResult(not_on_worker=self._not_enabled(call.plugin_name))
        with plugin_failures_end_the_order(describe):
            plugin = self._plugins.get(call.plugin_name)
            # Copies: a failed attempt must not leak half-made changes into the next.
            plugin_meta = copy.deepcopy(call.plugin_meta)
            try:
                result = plugin.revoke_certificate(
                    call.order_id, call.certificate, copy.deepcopy(call.order_meta),
                    plugin_meta, call.reason)
            except CAUnavailableError as exc:
                result = RevocationResult(status=RevocationStatus.CA_UNAVAILABLE,
                                          status_message=str(exc), retry_msec=exc.retry_msec)
            if not isinstance(result, RevocationResult):
                raise TypeError(f"{describe} returned {type(result).__name__}, "
                                "not a RevocationResult")
        return RevokeCallResult(**result.model_dump(), plugin_meta=plugin_meta)

    @staticmethod
    def _not_enabled(name: str) -> str:
        return (f"plugin {name!r}, which issued the certificate, is not enabled on this "
                "worker; waiting for a worker that has it")

    @activity.defn(name="record_revocation")
    def record_revocation(self, request: RecordRevocationInput) -> None:
        """Record the revocation in the store (idempotent: the first record stays)."""
        self._store.revocations.record(
            order_id=request.order_id, reason=request.reason.value,
            revoked_at=request.revoked_at, plugin_name=request.plugin_name,
            serial=request.serial)
