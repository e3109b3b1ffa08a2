"""Activities that call CA plugins: selection, and one activity per order method.

Plugin methods block (HTTP, signing), so these are plain functions that the worker
runs in a thread pool, never on its event loop.
"""

from __future__ import annotations

import copy

from temporalio import activity

from certorder.activities.models import (
    PluginCallInput,
    PluginCallResult,
    SelectPluginInput,
    SelectPluginResult,
)
from certorder.activities.plugin_errors import plugin_failures_end_the_order, run_order_method
from certorder.plugins.interface.status import PluginMethod
from certorder.plugins.manager import PluginManager


class CaActivities:
    """Plugin calls for orders, bound to the worker's loaded plugins."""

    def __init__(self, plugins: PluginManager) -> None:
        self._plugins = plugins

    @activity.defn(name="select_plugin")
    def select_plugin(self, request: SelectPluginInput) -> SelectPluginResult:
        """Validate the order and choose its plugin (name, ca_id, or supports())."""
        with plugin_failures_end_the_order("plugin selection"):
            selection = self._plugins.validate_order(request.order_meta)
        return SelectPluginResult(
            plugin_name=selection.plugin_name, plugin_ca_id=selection.plugin_ca_id
        )

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

    def _call(self, method: PluginMethod, call: PluginCallInput) -> PluginCallResult:
        with plugin_failures_end_the_order("plugin lookup"):
            plugin = self._plugins.get(call.plugin_name)
        # The plugin edits plugin_meta in place; give it a copy so a failed attempt
        # cannot leak half-made changes into the next attempt's input.
        plugin_meta = copy.deepcopy(call.plugin_meta)
        order_meta = copy.deepcopy(call.order_meta)
        bound = getattr(plugin, method.value)
        result = run_order_method(
            f"{call.plugin_name}.{method.value}",
            lambda: bound(call.order_id, order_meta, plugin_meta, call.core_meta),
        )
        return PluginCallResult(
            **result.model_dump(exclude_none=True), plugin_meta=plugin_meta
        )
