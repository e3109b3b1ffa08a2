"""The revocation state machine, as a table."""

from __future__ import annotations

import pytest

from certorder.plugins import RevocationStatus
from certorder.workflows.revocation_fsm import (
    REVOCATION_RULES,
    IllegalRevocationStep,
    RevocationOutcome,
    RevocationState,
    decide_revocation,
)


def test_every_plugin_status_is_an_outcome_with_one_rule():
    assert {RevocationOutcome.from_status(s) for s in RevocationStatus} <= set(RevocationOutcome)
    assert len({rule.outcome for rule in REVOCATION_RULES}) == len(RevocationOutcome)


@pytest.mark.parametrize(("outcome", "state", "delay"), [
    (RevocationOutcome.REVOKED, RevocationState.REVOKED, None),
    (RevocationOutcome.WAITING_FOR_CA, RevocationState.REVOKING, 1500),
    (RevocationOutcome.CA_UNAVAILABLE, RevocationState.REVOKING, 1500),
    (RevocationOutcome.REFUSED, RevocationState.REFUSED, None),
    (RevocationOutcome.NOT_SUPPORTED, RevocationState.REFUSED, None),
    (RevocationOutcome.PLUGIN_RAISED, RevocationState.ERROR, None),
])
def test_each_outcome_moves_as_documented(outcome, state, delay):
    step = decide_revocation(RevocationState.REVOKING, outcome, message="m", retry_msec=1500)
    assert (step.to_state, step.delay_msec, step.message) == (state, delay, "m")


@pytest.mark.parametrize("ended", [s for s in RevocationState if s.is_terminal])
def test_nothing_moves_a_finished_revocation(ended):
    with pytest.raises(IllegalRevocationStep):
        decide_revocation(ended, RevocationOutcome.REVOKED)


def test_a_negative_delay_is_refused():
    with pytest.raises(ValueError):
        decide_revocation(RevocationState.REVOKING, RevocationOutcome.CA_UNAVAILABLE,
                          retry_msec=-1)
