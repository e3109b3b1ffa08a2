"""Turning enabled entry-point names into constructed plugins, or one clear error.

Used by :class:`certorder.plugins.manager.PluginManager`; kept apart so the manager reads as
routing only. Every failure becomes a one-line :class:`PluginLoadError` that names the
plugin and the cause, because it is what an operator sees when the worker will not start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from stevedore import NamedExtensionManager

from certorder.plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from certorder.plugins.interface.errors import PluginLoadError
from certorder.plugins.interface.shared_state import SharedState

#: Gives each plugin (by name) its shared state; see ``PluginContext.shared``.
SharedStateFactory = Callable[[str], SharedState]

__all__ = ["check_loadable", "check_names", "describe_exception", "installed_targets",
           "load_plugins", "one_line"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (pydantic errors: the first field and why)."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        text = f"{where}: {first['msg']}" if where else first["msg"]
        more = exc.error_count() - 1
        return f"{text} (and {more} more)" if more else text
    return " ".join(str(exc).split())


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` on one line, e.g. ``ModuleNotFoundError: No module named 'pki'``."""
    text = one_line(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def check_names(enabled: Sequence[str]) -> list[str]:
    """The enabled names as a list, or :class:`PluginLoadError` if the list is empty,
    repeats a name, or holds a name unusable as a directory name."""
    if isinstance(enabled, str):
        raise PluginLoadError(f"enabled plugins must be a list of names, not {enabled!r}")
    names = list(enabled)
    if not names:
        raise PluginLoadError('no plugins are enabled; set enabled_plugins, e.g. ["local-ca"]')
    for name in names:
        if not isinstance(name, str) or not _NAME.match(name):
            raise PluginLoadError(f"invalid plugin name {name!r}")
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise PluginLoadError(f"plugin {repeated[0]!r} is enabled more than once")
    return names


def installed_targets(namespace: str) -> dict[str, set[str]]:
    """Every installed entry-point name in ``namespace`` -> the ``module:attr`` targets."""
    # names=[] makes stevedore read the group without importing any plugin module.
    scan = NamedExtensionManager(namespace, names=[], on_missing_entrypoints_callback=None)
    targets: dict[str, set[str]] = {}
    for entry_point in scan.list_entry_points():
        targets.setdefault(entry_point.name, set()).add(entry_point.value)
    return targets


def load_plugins(
    namespace: str,
    names: Sequence[str],
    data_dir: Path,
    options: Mapping[str, Mapping[str, Any]],
    shared: SharedStateFactory | None = None,
) -> dict[str, CertificatePluginBase]:
    """Import and construct each named plugin once, in order.

    Nothing is imported until every name is known to be installed exactly once. If a
    constructor fails, the plugins constructed before it are closed again.

    :raises PluginLoadError: one line naming the plugin and the cause.
    """
    classes = _load_classes(namespace, names)
    plugins: dict[str, CertificatePluginBase] = {}
    try:
        for name in names:
            plugins[name] = _construct(name, classes[name], data_dir, options.get(name) or {},
                                       shared)
    except BaseException:
        for plugin in plugins.values():
            try:
                plugin.close()
            except Exception:  # the load error is the one worth reporting
                pass
        raise
    return plugins


def check_loadable(namespace: str, enabled: Sequence[str]) -> None:
    """Import the enabled plugins without constructing them, so that a missing or broken
    plugin is reported before the worker opens the store their shared state lives in.

    :raises PluginLoadError: as :func:`load_plugins` would for these causes.
    """
    _load_classes(namespace, check_names(enabled))


def _load_classes(namespace: str, names: Sequence[str]) -> dict[str, Any]:
    targets = installed_targets(namespace)
    installed = sorted(targets)

    def report_missing(absent: Sequence[str]) -> None:
        raise PluginLoadError(_missing_message(namespace, absent, installed))

    absent = [name for name in names if name not in targets]
    if absent:
        report_missing(absent)
    for name in names:
        if len(targets[name]) > 1:
            # Two distributions claim the name; picking one would depend on sys.path order.
            raise PluginLoadError(
                f"plugin {name!r} is provided by more than one installed package: "
                f"{', '.join(sorted(targets[name]))}"
            )

    def report_failure(_manager: object, entry_point: Any, exc: Exception) -> None:
        raise PluginLoadError(
            f"plugin {entry_point.name!r} failed to load: {describe_exception(exc)}"
        ) from exc

    def report_conflict(_namespace: str, name: str, extensions: list[Any]) -> Any:
        found = ", ".join(ext.entry_point.value for ext in extensions)
        raise PluginLoadError(f"plugin {name!r} is provided by more than one package: {found}")

    manager = NamedExtensionManager(
        namespace,
        names=list(names),
        name_order=True,
        invoke_on_load=False,
        on_load_failure_callback=report_failure,
        on_missing_entrypoints_callback=lambda absent: report_missing(
            [name for name in names if name in absent]
        ),
        conflict_resolver=report_conflict,
    )
    return {ext.name: ext.plugin for ext in manager.extensions}


def _missing_message(namespace: str, absent: Sequence[str], installed: Sequence[str]) -> str:
    listed = ", ".join(installed) or "none"
    if len(absent) == 1:
        head = f"plugin {absent[0]!r} is not installed"
    else:
        head = f"plugins {', '.join(repr(name) for name in absent)} are not installed"
    return f"{head} (entry point group {namespace}); installed: {listed}"


def _construct(
    name: str, cls: Any, data_dir: Path, options: Mapping[str, Any],
    shared: SharedStateFactory | None,
) -> CertificatePluginBase:
    if not (isinstance(cls, type) and issubclass(cls, CertificatePluginBase)):
        what = getattr(cls, "__qualname__", None) or f"a {type(cls).__qualname__} object"
        raise PluginLoadError(
            f"plugin {name!r} is not a certificate plugin: "
            f"{what} does not subclass plugins.CertificatePluginBase"
        )
    if not isinstance(options, Mapping):
        raise PluginLoadError(
            f"options of plugin {name!r} must be a table, not {type(options).__name__}"
        )
    try:
        plugin_dir = data_dir / "plugins" / name
        # Owner only: plugins keep keys here (mkdir's mode covers only the last part).
        for directory in (data_dir, plugin_dir.parent, plugin_dir):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return cls(PluginContext(name=name, data_dir=plugin_dir, options=dict(options),
                                 shared=shared(name) if shared is not None else None))
    except Exception as exc:
        raise PluginLoadError(
            f"plugin {name!r} failed to start: {describe_exception(exc)}"
        ) from exc
