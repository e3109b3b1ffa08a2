"""The layering rules of DEVELOPERS.md, checked on the source so a break fails CI.

* ``plugins/`` never imports temporalio, nor the layers above it.
* ``activities/`` never imports ``workflows``.
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
                         "order_states_doc.py"}
NEVER_IN_WORKFLOWS = ("certorder", "stevedore", "sqlalchemy", "httpx", "psycopg", "requests")


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


def _modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", _modules("plugins"), ids=lambda p: str(p.relative_to(ROOT)))
def test_plugins_import_no_temporal_and_no_upper_layer(path):
    tops = {_top(name) for name, _ in _imports(ast.parse(path.read_text()))}
    assert not tops & {"temporalio", "workflows", "activities", "certorder", "worker"}, tops


@pytest.mark.parametrize("path", _modules("activities"), ids=lambda p: str(p.relative_to(ROOT)))
def test_activities_never_import_workflows(path):
    tops = {_top(name) for name, _ in _imports(ast.parse(path.read_text()))}
    assert "workflows" not in tops


@pytest.mark.parametrize("path", _modules("workflows"), ids=lambda p: str(p.relative_to(ROOT)))
def test_workflow_modules_import_through_the_sandbox(path):
    tree = ast.parse(path.read_text())
    passed_through = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and "imports_passed_through" in ast.unparse(node.items[0]):
            passed_through |= {id(inner) for inner in ast.walk(node)}
    for name, node in _imports(tree):
        assert not name.startswith(NEVER_IN_WORKFLOWS), f"{path.name} imports {name}"
        if path.name in PURE_WORKFLOW_MODULES:
            assert _top(name) != "temporalio", \
                f"{path.name} must stay free of Temporal but imports {name}"
        elif _top(name) not in {"temporalio", "__future__", "asyncio", "datetime", "typing",
                                "collections"}:
            assert id(node) in passed_through, \
                f"{path.name} imports {name} outside imports_passed_through()"
