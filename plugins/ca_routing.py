"""The enabled plugins' CAs: listing them, and routing CA operations to the owning plugin.

A mixin of :class:`certorder.plugins.manager.PluginManager`, kept apart so the manager
reads as loading and lifetime; it needs only the manager's enabled plugins and ``get``.
A plugin that fails to list its CAs raises here rather than being left out, as
Barbican did, so an order never quietly goes to another CA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from certorder.plugins.interface.certificate_manager import CertificatePluginBase
from certorder.plugins.interface.dto import CACreateDTO, CAInfo
from certorder.plugins.interface.errors import (
    CAOperationError,
    CAUnavailableError,
    InvalidOrderError,
    PluginNotFoundError,
)
from certorder.plugins.loading import describe_exception, one_line

__all__ = ["CARouting"]


class CARouting:
    """CA listing, creation, deletion and CRLs over the manager's enabled plugins."""

    _plugins: dict[str, CertificatePluginBase]

    if TYPE_CHECKING:

        def get(self, name: str) -> CertificatePluginBase: ...

    def ca_info(self) -> list[CAInfo]:
        """Every CA of every enabled plugin, in configured order, ``plugin_name`` set.

        :raises CAUnavailableError: a plugin's CA could not be reached to list its CAs.
        :raises CAOperationError: a plugin failed to list its CAs (never silently
            left out, unlike Barbican).
        """
        return [info for name in self._plugins for info in self._plugin_cas(name)]

    def create_ca(self, plugin_name: str | None, ca_create: CACreateDTO) -> CAInfo:
        """Create a sub-CA under ``ca_create.parent_ca_id`` (routed to the plugin that
        owns that CA) or under the default CA of ``plugin_name``.

        :raises CAOperationError: neither given, or the plugin cannot create sub-CAs.
        :raises PluginNotFoundError: unknown plugin, or no plugin owns the parent CA.
        """
        if ca_create.parent_ca_id is not None:
            owner = self._owner_of(ca_create.parent_ca_id, plugin_name)
        elif plugin_name is not None:
            owner = plugin_name
        else:
            raise CAOperationError("creating a CA needs a plugin name or a parent_ca_id")
        plugin = self.get(owner)
        if not plugin.supports_create_ca():
            raise CAOperationError(f"plugin {owner!r} cannot create sub-CAs")
        return plugin.create_ca(ca_create).model_copy(update={"plugin_name": owner})

    def delete_ca(self, ca_id: str, plugin_name: str | None = None) -> None:
        """Delete a sub-CA, routed to the plugin that owns ``ca_id``.

        :raises PluginNotFoundError: no enabled plugin (or not ``plugin_name``) owns it.
        :raises CAOperationError: the plugin refused.
        """
        self.get(self._owner_of(ca_id, plugin_name)).delete_ca(ca_id)

    def crl(self, ca_id: str, plugin_name: str | None = None) -> str:
        """The current CRL (PEM) of ``ca_id``, from the plugin that owns it.

        :raises PluginNotFoundError: no enabled plugin (or not ``plugin_name``) owns it.
        :raises CAOperationError: the plugin publishes no CRL.
        """
        return self.get(self._owner_of(ca_id, plugin_name)).get_crl(ca_id)

    def _plugin_cas(self, name: str) -> list[CAInfo]:
        try:
            infos = list(self._plugins[name].get_ca_info())
        except CAUnavailableError as exc:
            raise CAUnavailableError(f"plugin {name!r}: {one_line(exc)}", exc.retry_msec) from exc
        except Exception as exc:
            raise CAOperationError(
                f"plugin {name!r} could not list its CAs: {describe_exception(exc)}"
            ) from exc
        for info in infos:
            if not isinstance(info, CAInfo):
                kind = type(info).__name__
                raise CAOperationError(f"plugin {name!r} listed a {kind}, not a CAInfo")
        return [info.model_copy(update={"plugin_name": name}) for info in infos]

    def _owner_of(self, ca_id: str, plugin_name: str | None) -> str:
        if plugin_name is not None:
            self.get(plugin_name)
        candidates = [plugin_name] if plugin_name is not None else list(self._plugins)
        owners = [
            name
            for name in candidates
            if any(info.ca_id == ca_id for info in self._plugin_cas(name))
        ]
        if not owners:
            if plugin_name is not None:
                raise PluginNotFoundError(f"plugin {plugin_name!r} has no CA with id {ca_id!r}")
            raise PluginNotFoundError(f"no enabled plugin has a CA with id {ca_id!r}")
        if len(owners) > 1:
            raise InvalidOrderError(
                f"CA id {ca_id!r} is offered by plugins {', '.join(owners)}; "
                "add plugin_name to choose one"
            )
        return owners[0]
