"""Activities that call CA plugins: selection, and one activity per order method.

Plugin methods block (HTTP, signing), so these are plain functions that the worker
runs in a thread pool, never on its event loop.
"""

from __future__ import annotations

import copy

from temporalio import activity

from certorder.activities.approval_rules import ApprovalRules
from certorder.activities.call_heartbeat import (
    heartbeating,
    interrupted_since,
    resumed_plugin_meta,
)
from certorder.activities.call_metrics import timed_call
from certorder.activities.models import (
    PluginCallInput,
    PluginCallResult,
    SelectPluginInput,
    SelectPluginResult,
)
from certorder.activities.plugin_errors import plugin_failures_end_the_order, run_order_method
from certorder.certificate_facts import subject_and_sans
from certorder.plugins.interface.csr import load_csr
from certorder.plugins.interface.status import CertificateStatus, PluginMethod
from certorder.plugins.manager import PluginManager
from certorder.plugins.order_checks import check_request

#: How soon a call that reached a worker without the order's plugin is made again (by
#: whichever worker takes it then).
NOT_ON_WORKER_RETRY_MSEC = 10_000


def _names_of(order_meta: dict) -> dict:
    """The order's subject and SANs, when it carries a CSR (already checked)."""
    data = order_meta.get("request_data")
    if not isinstance(data, str | bytes) or not data:
        return {}
    subject, sans = subject_and_sans(load_csr(data))
    return {"subject": subject, "sans": sans}


class CaActivities:
    """Plugin calls for orders, bound to the worker's loaded plugins.

    :param worker_identity: this worker's Temporal identity, named in the order when
        it lacks the order's plugin (so an operator knows which worker to fix).
    """

    def __init__(self, plugins: PluginManager, worker_identity: str = "this worker",
                 approvals: ApprovalRules | None = None) -> None:
        self._plugins = plugins
        self._identity = worker_identity
        self._approvals = approvals or ApprovalRules()
        self._installed = frozenset(PluginManager.installed_names())

    @activity.defn(name="select_plugin")
    def select_plugin(self, request: SelectPluginInput) -> SelectPluginResult:
        """Validate the order and choose its plugin (name, ca_id, or supports())."""
        named = request.order_meta.get("plugin_name")
        with plugin_failures_end_the_order("plugin selection"):
            if self._installed_elsewhere(named):
                # Installed here but not enabled: another worker of the deployment may
                # have it (a rolling deploy). Check what needs no plugin, then wait.
                check_request(request.order_meta)
                return SelectPluginResult(plugin_name=named,
                                          not_on_worker=self._not_enabled(named),
                                          approval=self._approval(named, request.order_meta),
                                          **_names_of(request.order_meta))
            selection = self._plugins.validate_order(request.order_meta)
            plugin = self._plugins.get(selection.plugin_name)
            quick = bool(getattr(plugin, "quick_calls", False))
            quick_checks = bool(getattr(plugin, "quick_checks", False))
        return SelectPluginResult(plugin_name=selection.plugin_name,
                                  plugin_ca_id=selection.plugin_ca_id, quick_calls=quick,
                                  quick_checks=quick_checks,
                                  approval=self._approval(selection.plugin_name,
                                                          request.order_meta),
                                  **_names_of(request.order_meta))

    def _approval(self, plugin_name: str, order_meta: dict):
        ca_id = order_meta.get("ca_id")
        return self._approvals.policy_for(plugin_name, ca_id if isinstance(ca_id, str) else None)

    @activity.defn(name=PluginMethod.ISSUE.value)
    def issue_certificate_request(self, call: PluginCallInput) -> PluginCallResult:
        return self._call(PluginMethod.ISSUE, call)

    @activity.defn(name=PluginMethod.CHECK.value)
    def check_certificate_status(self, call: PluginCallInput) -> PluginCallResult:
        return self._call(PluginMethod.CHECK, call)

    @activity.defn(name=PluginMethod.MODIFY.value)
    def modify_certificate_request(self, call: PluginCallInput) -> PluginCallResult:
        return self._call(PluginMethod.MODIFY, call)

    @activity.defn(name=PluginMethod.CANCEL.value)
    def cancel_certificate_request(self, call: PluginCallInput) -> PluginCallResult:
        return self._call(PluginMethod.CANCEL, call)

    def _installed_elsewhere(self, name: object) -> bool:
        return isinstance(name, str) and name in self._installed and name not in self._plugins.names

    def _not_enabled(self, name: str) -> str:
        return (f"worker {self._identity} does not have plugin {name!r} enabled; "
                "waiting for a worker that has it")

    def call(self, method: PluginMethod, call: PluginCallInput) -> PluginCallResult:
        """One order method, as its activity runs it (for composed activities)."""
        return self._call(method, call)

    def _call(self, method: PluginMethod, call: PluginCallInput) -> PluginCallResult:
        if call.plugin_name not in self._plugins.names:
            # The order was accepted by a worker that has its plugin; this one has not.
            # Nothing reached the CA, so the same call is simply made again later.
            return PluginCallResult(
                status=CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST,
                retry_msec=NOT_ON_WORKER_RETRY_MSEC,
                plugin_meta=call.plugin_meta,
                not_on_worker=self._not_enabled(call.plugin_name))
        if call.validate_first:
            with plugin_failures_end_the_order("order validation"):
                self._plugins.validate_order(call.order_meta)
        with plugin_failures_end_the_order("plugin lookup"):
            plugin = self._plugins.get(call.plugin_name)
        # The plugin edits plugin_meta in place; give it a copy so a failed attempt
        # cannot leak half-made changes into the next attempt's input. What it reported
        # as progress before an interruption is the exception: that is kept.
        plugin_meta = resumed_plugin_meta(call.plugin_meta)
        order_meta = copy.deepcopy(call.order_meta)
        bound = getattr(plugin, method.value)
        with heartbeating(plugin_meta) as beat:
            core_meta = call.core_meta.model_copy(
                update={"interrupted_since": interrupted_since()}
            ).with_progress(beat.progress)
            result = timed_call(call.plugin_name, method.value, lambda: run_order_method(
                f"{call.plugin_name}.{method.value}",
                lambda: bound(call.order_id, order_meta, plugin_meta, core_meta),
            ))
        return PluginCallResult(
            **result.model_dump(exclude_none=True), plugin_meta=plugin_meta
        )
