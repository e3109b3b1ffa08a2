"""PluginManager loading real entry points from a distribution written at test time."""

from __future__ import annotations

from pathlib import Path

import pytest
import stevedore._cache
from fake_plugins import CONSTRUCTED, ScriptedPlugin, SettingsPlugin
from stevedore.extension import ExtensionManager

from certorder.plugins import PluginLoadError
from certorder.plugins.manager import PLUGIN_NAMESPACE, PluginManager

FAKE_ENTRY_POINTS = {
    "fake-first": "fake_plugins:ScriptedPlugin",
    "fake-second": "fake_plugins:ScriptedPlugin",
    "fake-exploding": "fake_plugins:ExplodingPlugin",
    "fake-settings": "fake_plugins:SettingsPlugin",
    "fake-not-a-plugin": "fake_plugins:NotAPlugin",
    "fake-needs-dependency": "certorder_fake_needs_dependency:Plugin",
}


def install(site: Path, distribution: str, entry_points: dict[str, str]) -> None:
    """Write the metadata of an installed distribution that registers ``entry_points``."""
    dist_info = site / f"{distribution}-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n"
    )
    lines = [
        f"[{PLUGIN_NAMESPACE}]",
        *(f"{name} = {target}" for name, target in entry_points.items()),
    ]
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site directory on sys.path holding the fake distribution, with stevedore's
    entry-point caches (per process, and on disk) made fresh for this test."""
    site = tmp_path / "site"
    install(site, "certorder_fake_plugins", FAKE_ENTRY_POINTS)
    # A plugin module that imports, as a real one might, a dependency that is not there.
    (site / "certorder_fake_needs_dependency.py").write_text(
        "import certorder_absent_dependency  # noqa: F401\n\nPlugin = None\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.syspath_prepend(str(Path(__file__).parent))
    monkeypatch.setattr(ExtensionManager, "ENTRY_POINT_CACHE", {})
    fresh = stevedore._cache.Cache(cache_dir=str(tmp_path / "entry-point-cache"))
    monkeypatch.setattr(stevedore._cache, "get_group_all", fresh.get_group_all)
    return site


def load_error(tmp_path: Path, enabled: list[str], **options) -> str:
    with pytest.raises(PluginLoadError) as caught:
        PluginManager(enabled, tmp_path / "data", options)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_installed_names_lists_the_whole_group_sorted(site: Path) -> None:
    installed = PluginManager.installed_names()

    assert set(FAKE_ENTRY_POINTS) <= set(installed)
    assert installed == sorted(installed)


def test_loads_each_enabled_plugin_once_in_configured_order(site: Path, tmp_path: Path) -> None:
    before = len(CONSTRUCTED)
    options = {"fake-first": {"cas": ["root-1", "root-2"]}}

    manager = PluginManager(["fake-second", "fake-first"], tmp_path / "data", options)

    assert manager.names == ("fake-second", "fake-first")
    assert [p.name for p in CONSTRUCTED[before:]] == ["fake-second", "fake-first"]
    first = manager.get("fake-first")
    assert isinstance(first, ScriptedPlugin)
    assert first.cas == ["root-1", "root-2"]
    assert manager.get("fake-second").cas == ["fake-second"]
    assert first.context.data_dir == tmp_path / "data" / "plugins" / "fake-first"
    assert first.context.data_dir.is_dir()


def test_import_failure_names_plugin_and_missing_module(site: Path, tmp_path: Path) -> None:
    message = load_error(tmp_path, ["fake-first", "fake-needs-dependency"])

    assert message == (
        "plugin 'fake-needs-dependency' failed to load: "
        "ModuleNotFoundError: No module named 'certorder_absent_dependency'"
    )


def test_constructor_failure_names_plugin_and_closes_the_others(site: Path, tmp_path: Path) -> None:
    before = len(CONSTRUCTED)

    message = load_error(tmp_path, ["fake-first", "fake-exploding"])

    assert message == (
        "plugin 'fake-exploding' failed to start: PluginConfigurationError: passphrase is missing"
    )
    started = CONSTRUCTED[before:]
    assert [p.name for p in started] == ["fake-first"]
    assert started[0].close_calls == 1


def test_settings_errors_are_reported_on_one_line(site: Path, tmp_path: Path) -> None:
    message = load_error(tmp_path, ["fake-settings"])
    assert (
        message
        == "plugin 'fake-settings' failed to start: ValidationError: passphrase: Field required"
    )

    message = load_error(
        tmp_path,
        ["fake-settings"],
        **{"fake-settings": {"passphrase": "x", "validity_days": "soon", "colour": 1}},
    )
    assert message.startswith(
        "plugin 'fake-settings' failed to start: ValidationError: validity_days: "
    )
    assert message.endswith("(and 1 more)")

    manager = PluginManager(
        ["fake-settings"], tmp_path / "data", {"fake-settings": {"passphrase": "x"}}
    )
    plugin = manager.get("fake-settings")
    assert isinstance(plugin, SettingsPlugin)
    assert plugin.settings.passphrase == "x"


def test_plugin_not_installed_lists_what_is(site: Path, tmp_path: Path) -> None:
    message = load_error(tmp_path, ["fake-first", "dogtag-typo"])

    installed = ", ".join(PluginManager.installed_names())
    assert message == (
        "plugin 'dogtag-typo' is not installed "
        f"(entry point group certorder.certificate.plugin); installed: {installed}"
    )


def test_missing_plugin_is_reported_before_anything_is_imported(site: Path, tmp_path: Path) -> None:
    before = len(CONSTRUCTED)

    message = load_error(tmp_path, ["fake-first", "fake-needs-dependency", "absent-a", "absent-b"])

    assert message.startswith("plugins 'absent-a', 'absent-b' are not installed")
    assert len(CONSTRUCTED) == before


def test_not_a_plugin_class(site: Path, tmp_path: Path) -> None:
    message = load_error(tmp_path, ["fake-not-a-plugin"])

    assert message == (
        "plugin 'fake-not-a-plugin' is not a certificate plugin: "
        "NotAPlugin does not subclass plugins.CertificatePluginBase"
    )


def test_a_name_claimed_by_two_distributions_is_refused(site: Path, tmp_path: Path) -> None:
    install(site, "certorder_rival_plugins", {"fake-first": "fake_plugins:SettingsPlugin"})

    message = load_error(tmp_path, ["fake-first"])

    assert message == (
        "plugin 'fake-first' is provided by more than one installed package: "
        "fake_plugins:ScriptedPlugin, fake_plugins:SettingsPlugin"
    )


@pytest.mark.parametrize(
    ("enabled", "expected"),
    [
        ([], "no plugins are enabled"),
        (
            ["fake-first", "fake-second", "fake-first"],
            "plugin 'fake-first' is enabled more than once",
        ),
        (["../escape"], "invalid plugin name '../escape'"),
        ("fake-first", "enabled plugins must be a list of names"),
    ],
)
def test_bad_enabled_lists(site: Path, tmp_path: Path, enabled, expected: str) -> None:
    assert load_error(tmp_path, enabled).startswith(expected)


def test_options_must_be_a_table(site: Path, tmp_path: Path) -> None:
    message = load_error(tmp_path, ["fake-first"], **{"fake-first": ["cas"]})

    assert message == "options of plugin 'fake-first' must be a table, not list"


def test_the_built_in_local_ca_loads_through_its_entry_point(tmp_path: Path) -> None:
    # No fake site: this is the project's own pyproject.toml registration, as installed.
    with PluginManager(["local-ca"], tmp_path / "data") as manager:
        [info, *_] = manager.ca_info()

    assert type(manager.get("local-ca")).__name__ == "LocalCAPlugin"
    assert info.plugin_name == "local-ca"
    assert (tmp_path / "data" / "plugins" / "local-ca").is_dir()


# -- construction and shutdown -------------------------------------------------------


def test_from_plugins_refuses_non_plugins(tmp_path: Path) -> None:
    with pytest.raises(
        PluginLoadError, match="'odd' is not a certificate plugin: a dict object is not"
    ):
        PluginManager.from_plugins({"odd": {}})
    with pytest.raises(PluginLoadError, match="no plugins are enabled"):
        PluginManager.from_plugins({})


def test_close_closes_each_plugin_once_even_if_one_fails(tmp_path: Path) -> None:
    plugins = {
        "first": ScriptedPlugin.build("first", tmp_path, close_error=True),
        "second": ScriptedPlugin.build("second", tmp_path),
    }

    with PluginManager.from_plugins(plugins) as manager:
        pass
    manager.close()

    assert [p.close_calls for p in plugins.values()] == [1, 1]
