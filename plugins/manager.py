"""Loading the enabled CA plugins once, and routing each order to one of them.

The worker (and the client, for its pre-start checks) builds one :class:`PluginManager`
from the ``enabled_plugins`` setting. Loading is strict: a configured plugin that is
missing, fails to import, is not a :class:`CertificatePluginBase`, or whose constructor
raises stops start-up with a one-line :class:`PluginLoadError`. Barbican logged such
plugins and carried on without them, so orders quietly went to another CA.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from certorder.plugins.interface.certificate_manager import CertificatePluginBase
from certorder.plugins.interface.dto import CACreateDTO, CAInfo
from certorder.plugins.interface.errors import (
    CAOperationError,
    CAUnavailableError,
    InvalidOrderError,
    PluginLoadError,
    PluginNotFoundError,
)
from certorder.plugins.interface.status import CertificateRequestType
from certorder.plugins.loading import (
    SharedStateFactory,
    check_names,
    describe_exception,
    installed_targets,
    load_plugins,
    one_line,
)
from certorder.plugins.order_checks import check_request, optional_text

__all__ = ["PLUGIN_NAMESPACE", "PluginManager", "Selection"]

LOG = logging.getLogger(__name__)

#: The entry-point group every certificate plugin registers under.
PLUGIN_NAMESPACE = "certorder.certificate.plugin"


class Selection(BaseModel):
    """Which plugin an order goes to, and which of its CAs (``None``: its default)."""

    model_config = ConfigDict(frozen=True)

    plugin_name: str
    plugin_ca_id: str | None = None


class PluginManager:
    """The enabled plugins, constructed once, in configured order.

    :param enabled: entry-point names to load, in order of preference for orders that
        name neither a plugin nor a CA.
    :param data_dir: the service's data directory; each plugin gets
        ``data_dir/plugins/<name>`` (created here).
    :param options: per-plugin option tables (``[plugins.<name>]`` in the settings file).
    :param shared: each plugin's shared state by name (the worker's, in the store);
        without it plugins get ``PluginContext.shared = None``.
    :raises PluginLoadError: if the list is empty or repeats a name, or any plugin
        cannot be loaded or constructed; plugins already constructed are closed first.
    """

    def __init__(
        self,
        enabled: Sequence[str],
        data_dir: Path,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        shared: SharedStateFactory | None = None,
    ) -> None:
        names = check_names(enabled)
        options = options or {}
        for stray in sorted(set(options) - set(names)):
            LOG.warning("options given for plugin %r, which is not enabled", stray)
        self._adopt(load_plugins(PLUGIN_NAMESPACE, names, Path(data_dir), options, shared))

    @classmethod
    def from_plugins(cls, plugins: Mapping[str, CertificatePluginBase]) -> PluginManager:
        """A manager over ready-made plugin instances (tests, embedding); no entry points.

        The mapping's order is the configured order.
        """
        check_names(list(plugins))
        for name, plugin in plugins.items():
            if not isinstance(plugin, CertificatePluginBase):
                raise PluginLoadError(
                    f"plugin {name!r} is not a certificate plugin: "
                    f"a {type(plugin).__qualname__} object is not a CertificatePluginBase"
                )
        manager = cls.__new__(cls)
        manager._adopt(dict(plugins))
        return manager

    def _adopt(self, plugins: dict[str, CertificatePluginBase]) -> None:
        self._plugins = plugins
        self._closed = False

    @classmethod
    def installed_names(cls) -> list[str]:
        """Names of every plugin installed in this environment, enabled or not, sorted."""
        return sorted(installed_targets(PLUGIN_NAMESPACE))

    @property
    def names(self) -> tuple[str, ...]:
        """The enabled plugin names, in configured order."""
        return tuple(self._plugins)

    def get(self, name: str) -> CertificatePluginBase:
        """The plugin enabled under ``name``.

        :raises PluginNotFoundError: if no enabled plugin has that name.
        """
        try:
            return self._plugins[name]
        except (KeyError, TypeError):
            if isinstance(name, str) and name in self.installed_names():
                raise PluginNotFoundError(
                    f"plugin {name!r} is installed but not enabled: add it to enabled_plugins "
                    f"(enabled: {', '.join(self._plugins)})") from None
            raise PluginNotFoundError(
                f"unknown plugin {name!r}; available: {', '.join(self._plugins)}"
            ) from None

    # -- routing orders ----------------------------------------------------------------

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

    # -- CAs ---------------------------------------------------------------------------

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

    # -- shutdown ----------------------------------------------------------------------

    def close(self) -> None:
        """Close every plugin, once. A plugin whose ``close()`` raises is logged and the
        others are still closed: shutdown must not stop half-way."""
        if self._closed:
            return
        self._closed = True
        for name, plugin in self._plugins.items():
            try:
                plugin.close()
            except Exception:
                LOG.exception("plugin %r failed to close", name)

    def __enter__(self) -> PluginManager:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
