"""Every recorded order (and revocation) history must replay on the current workflow code.

A failure here means the change would break orders already running: guard the new
behaviour with ``workflow.patched(...)`` (see docs/operations.md) instead.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from certorder.workflows.managed_workflow import ManagedCertificateWorkflow
from certorder.workflows.order_workflow import CertificateOrderWorkflow
from certorder.workflows.revocation_workflow import CertificateRevocationWorkflow

HISTORIES = sorted((Path(__file__).parents[1] / "histories").glob("*.json"))


def test_there_are_histories_to_replay():
    assert len(HISTORIES) >= 3


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_recorded_history_replays(path: Path):
    history = WorkflowHistory.from_json(path.stem, json.loads(path.read_text()))
    replayer = Replayer(workflows=[CertificateOrderWorkflow, CertificateRevocationWorkflow,
                                   ManagedCertificateWorkflow],
                        data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"
