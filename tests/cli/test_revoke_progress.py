"""`cert revoke --wait` prints each step of the revocation once, also past the 50 steps
the revocation document keeps (a long wait for a CA or for a worker with the plugin)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certorder.cli.revoke import _Progress
from certorder.plugins import RevocationReason
from certorder.workflows.revocation_fsm import RevocationState
from certorder.workflows.revocation_models import RevocationDocument, RevocationStepRecord

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _document(steps: range) -> RevocationDocument:
    return RevocationDocument(
        order_id="o1", reason=RevocationReason.SUPERSEDED,
        steps=[RevocationStepRecord(at=T0 + timedelta(seconds=i), outcome="CA unavailable",
                                    message=f"try {i}", state=RevocationState.REVOKING)
               for i in steps])


def test_every_step_is_printed_once_even_past_the_steps_kept(capsys):
    progress = _Progress()
    progress(_document(range(0, 50)))  # full: the document keeps the last 50
    progress(_document(range(1, 51)))
    progress(_document(range(10, 60)))
    progress(_document(range(10, 60)))  # nothing new
    printed = capsys.readouterr().err.splitlines()
    assert [line.rsplit("try ", 1)[1] for line in printed] == [str(i) for i in range(60)]


def test_steps_of_one_workflow_task_share_a_time_and_are_all_printed(capsys):
    progress = _Progress()
    first = _document(range(0, 2))
    progress(first)
    same_time = first.steps[-1].model_copy(update={"message": "told the managed cert"})
    progress(first.model_copy(update={"steps": [*first.steps, same_time]}))
    progress(first.model_copy(update={"steps": [*first.steps, same_time]}))
    printed = capsys.readouterr().err.splitlines()
    assert len(printed) == 3 and printed[-1].endswith("told the managed cert")
