"""Routing an order to one enabled plugin, and the checks the client runs before it starts.

A mixin of :class:`certorder.plugins.manager.PluginManager`, kept apart so the manager
reads as loading and lifetime; it needs only the manager's enabled plugins, ``get`` and
the CA owner lookup of :class:`certorder.plugins.ca_routing.CARouting`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from certorder.plugins.interface.certificate_manager import CertificatePluginBase
from certorder.plugins.interface.errors import InvalidOrderError, PluginNotFoundError
from certorder.plugins.interface.status import CertificateRequestType
from certorder.plugins.order_checks import check_request, optional_text

__all__ = ["OrderRouting", "Selection"]


class Selection(BaseModel):
    """Which plugin an order goes to, and which of its CAs (``None``: its default)."""

    model_config = ConfigDict(frozen=True)

    plugin_name: str
    plugin_ca_id: str | None = None


class OrderRouting:
    """:meth:`select` and :meth:`validate_order` over the manager's enabled plugins."""

    _plugins: dict[str, CertificatePluginBase]

    if TYPE_CHECKING:

        def get(self, name: str) -> CertificatePluginBase: ...

        def _owner_of(self, ca_id: str, plugin_name: str | None) -> str: ...

    def select(self, order_meta: Mapping[str, Any]) -> Selection:
        """Choose the plugin for an order: by ``plugin_name``, else by the owner of
        ``ca_id``, else the first enabled plugin that accepts the order's request type
        and whose ``supports()`` is true.

        :raises PluginNotFoundError: no plugin matches; the message says what was asked.
        :raises InvalidOrderError: ``plugin_name``/``ca_id`` are not strings, or two
            plugins offer the same ``ca_id``.
        """
        plugin_name = optional_text(order_meta, "plugin_name")
        ca_id = optional_text(order_meta, "ca_id")
        if ca_id is not None:
            return Selection(plugin_name=self._owner_of(ca_id, plugin_name), plugin_ca_id=ca_id)
        if plugin_name is not None:
            self.get(plugin_name)
            return Selection(plugin_name=plugin_name)
        request_type = order_meta.get("request_type") or CertificateRequestType.CUSTOM.value
        for name, plugin in self._plugins.items():
            if request_type in plugin.supported_request_types() and plugin.supports(order_meta):
                return Selection(plugin_name=name)
        raise PluginNotFoundError(
            f"no enabled plugin supports this {request_type} order "
            f"(enabled: {', '.join(self._plugins)})"
        )

    def validate_order(self, order_meta: Mapping[str, Any]) -> Selection:
        """Every check the client runs before an order starts; returns the selection.

        Checks the request type, the CSR of a ``simple-cmc`` order, picks the plugin,
        checks that it accepts the request type, then runs its ``validate_order_meta``.

        :raises InvalidOrderError: the order can never succeed as given.
        :raises PluginNotFoundError: no enabled plugin can take it.
        """
        request_type = check_request(order_meta)
        selection = self.select(order_meta)
        plugin = self.get(selection.plugin_name)
        accepted = [CertificateRequestType(t) for t in plugin.supported_request_types()]
        if request_type not in accepted:
            raise InvalidOrderError(
                f"plugin {selection.plugin_name!r} does not accept {request_type} orders; "
                f"it accepts {', '.join(t.value for t in accepted)}"
            )
        plugin.validate_order_meta(order_meta)
        return selection
