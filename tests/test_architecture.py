"""The layering rules of DEVELOPERS.md, checked on the source so a break fails CI.

* Everything is imported under ``certorder.``; nothing uses the old top-level names.
* ``plugins/`` never imports temporalio, nor the layers above it.
* ``activities/`` never imports ``workflows``.
* Runtime code never imports the test simulators (they are not in the wheel).
* ``workflows/``: the pure modules import no Temporal; the workflow modules import
  everything that is not Temporal only inside ``workflow.unsafe.imports_passed_through()``,
  and never the store, stevedore, or an HTTP or database library.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PURE_WORKFLOW_MODULES = {"__init__.py", "models.py", "order_fsm.py", "order_presentation.py",
                         "order_fsm_table.py", "order_fsm_checks.py",
                         "order_states_doc.py", "admin_models.py", "revocation_fsm.py",
                         "revocation_models.py", "revocation_presentation.py", "managed_models.py",
                         "order_status.py",
                         "managed_failures.py", "managed_presentation.py", "renewal_policy.py",
                         "managed_renewal_window.py"}
#: What workflow code may import from certorder (all else is I/O or the client).
WORKFLOW_MAY_USE = ("certorder.workflows", "certorder.activities", "certorder.plugins.interface")
NEVER_IN_WORKFLOWS = ("stevedore", "sqlalchemy", "httpx", "psycopg", "requests")
#: The old top-level names: everything is imported under certorder. now.
OLD_TOP_LEVEL = {"plugins", "workflows", "activities", "simulators", "worker"}


def _imports(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, node))
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _layer(name: str) -> str:
    """``certorder.plugins.x`` -> ``plugins``; other names -> their top-level name."""
    parts = name.split(".")
    return parts[1] if parts[0] == "certorder" and len(parts) > 1 else parts[0]


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("plugins"), ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_no_temporal_and_no_upper_layer(path):
    names = [name for name, _ in _imports(ast.parse(path.read_text()))]
    assert "temporalio" not in {_top(name) for name in names}
    own = {_layer(name) for name in names if _top(name) == "certorder"}
    assert own <= {"plugins"}, f"{path.name} imports certorder layers {own - {'plugins'}}"


@pytest.mark.parametrize("path", _modules("activities"), ids=lambda p: str(p.relative_to(ROOT)))
def test_activities_never_import_workflows(path):
    names = [name for name, _ in _imports(ast.parse(path.read_text()))]
    assert not [name for name in names if name.startswith("certorder.workflows")]


@pytest.mark.parametrize("path", _modules("workflows"), ids=lambda p: str(p.relative_to(ROOT)))
def test_workflow_modules_import_through_the_sandbox(path):
    tree = ast.parse(path.read_text())
    passed_through = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and "imports_passed_through" in ast.unparse(node.items[0]):
            passed_through |= {id(inner) for inner in ast.walk(node)}
    for name, node in _imports(tree):
        assert not name.startswith(NEVER_IN_WORKFLOWS), f"{path.name} imports {name}"
        if _top(name) == "certorder":
            assert name.startswith(WORKFLOW_MAY_USE), f"{path.name} imports {name}"
        if path.name in PURE_WORKFLOW_MODULES:
            assert _top(name) != "temporalio", \
                f"{path.name} must stay free of Temporal but imports {name}"
        elif _top(name) not in {"temporalio", "__future__", "asyncio", "datetime", "typing",
                                "collections"}:
            assert id(node) in passed_through, \
                f"{path.name} imports {name} outside imports_passed_through()"


def _all_sources() -> list[Path]:
    return [p for folder in ("certorder", "plugins", "workflows", "activities", "tests",
                             "simulators", "examples", "bench")
            for p in sorted((ROOT / folder).rglob("*.py")) if not p.is_symlink()] + [
        ROOT / "worker.py"]


def test_nothing_imports_the_old_top_level_names():
    offenders = [f"{path.relative_to(ROOT)}: {name}" for path in _all_sources()
                 for name, _ in _imports(ast.parse(path.read_text()))
                 if _top(name) in OLD_TOP_LEVEL - {"simulators"}]
    assert not offenders


def test_runtime_code_never_imports_the_simulators():
    runtime = [p for p in _all_sources()
               if p.relative_to(ROOT).parts[0] in {"certorder", "plugins", "workflows",
                                                   "activities", "worker.py"}]
    offenders = [str(path.relative_to(ROOT)) for path in runtime
                 for name, _ in _imports(ast.parse(path.read_text()))
                 if _top(name) == "simulators"]
    assert not offenders
