"""Loading the enabled CA plugins once, looking them up by name, and closing them.

The worker (and the client, for its pre-start checks) builds one :class:`PluginManager`
from the ``enabled_plugins`` setting. Loading is strict: a configured plugin that is
missing, fails to import, is not a :class:`CertificatePluginBase`, or whose constructor
raises stops start-up with a one-line :class:`PluginLoadError`. Barbican logged such
plugins and carried on without them, so orders quietly went to another CA.

Routing orders (:mod:`certorder.plugins.order_routing`) and CA operations
(:mod:`certorder.plugins.ca_routing`) are mixed in from their own modules.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from certorder.plugins.ca_routing import CARouting
from certorder.plugins.interface.certificate_manager import CertificatePluginBase
from certorder.plugins.interface.errors import PluginLoadError, PluginNotFoundError
from certorder.plugins.loading import (
    SharedStateFactory,
    check_names,
    installed_targets,
    load_plugins,
)
from certorder.plugins.order_routing import OrderRouting, Selection

__all__ = ["PLUGIN_NAMESPACE", "PluginManager", "Selection"]

LOG = logging.getLogger(__name__)

#: The entry-point group every certificate plugin registers under.
PLUGIN_NAMESPACE = "certorder.certificate.plugin"


class PluginManager(OrderRouting, CARouting):
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
