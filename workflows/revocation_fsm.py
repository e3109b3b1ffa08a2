"""The revocation state machine: what the core does with each answer, as one table.

A revocation starts ``REVOKING``. Each call of the plugin's ``revoke_certificate``
(or a core event) gives an :class:`RevocationOutcome`; :data:`REVOCATION_RULES` says
where that leaves the revocation and whether the plugin is called again after the
answer's ``retry_msec``. Like ``order_fsm``, and for the same reasons, a plain table.

Pure by design: no I/O, no clock, no randomness, no Temporal import.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from certorder.plugins.interface.revocation import RevocationStatus


class RevocationState(StrEnum):
    """Where a revocation stands: ``REVOKING`` until it ends in one of the others."""

    REVOKING = "REVOKING"
    REVOKED = "REVOKED"
    REFUSED = "REFUSED"
    ERROR = "ERROR"

    @property
    def is_terminal(self) -> bool:
        return self is not RevocationState.REVOKING


class RevocationOutcome(StrEnum):  # the plugin's RevocationStatus values, plus the core's own
    """What one step produced."""

    REVOKED = "revoked"
    WAITING_FOR_CA = "waiting for CA"
    CA_UNAVAILABLE = "CA unavailable"
    REFUSED = "refused"
    #: The plugin offers no revocation: refused before anything reached the CA.
    NOT_SUPPORTED = "revocation not supported"
    #: The plugin raised instead of answering.
    PLUGIN_RAISED = "plugin raised"
    #: The worker that took the call has not enabled the plugin: nothing was asked.
    PLUGIN_NOT_ON_WORKER = "waiting for a worker with the plugin"

    @classmethod
    def from_status(cls, status: RevocationStatus) -> RevocationOutcome:
        return cls(RevocationStatus(status).value)


@dataclass(frozen=True)
class RevocationRule:
    outcome: RevocationOutcome
    to_state: RevocationState
    call_again: bool
    why: str


_R = RevocationState
REVOCATION_RULES: tuple[RevocationRule, ...] = (
    RevocationRule(RevocationOutcome.REVOKED, _R.REVOKED, False,
                   "the CA revoked it (now or earlier): record it in the store; done"),
    RevocationRule(RevocationOutcome.WAITING_FOR_CA, _R.REVOKING, True,
                   "the CA will revoke later: call revoke_certificate again after retry_msec"),
    RevocationRule(RevocationOutcome.CA_UNAVAILABLE, _R.REVOKING, True,
                   "the CA could not be reached: the same call again after retry_msec"),
    RevocationRule(RevocationOutcome.REFUSED, _R.REFUSED, False,
                   "the CA will not revoke it: done, with the CA's message"),
    RevocationRule(RevocationOutcome.NOT_SUPPORTED, _R.REFUSED, False,
                   "the plugin offers no revocation: refused before reaching the CA"),
    RevocationRule(RevocationOutcome.PLUGIN_RAISED, _R.ERROR, False,
                   "the plugin raised an exception: a failed revocation, never retried"),
    RevocationRule(RevocationOutcome.PLUGIN_NOT_ON_WORKER, _R.REVOKING, True,
                   "the worker lacks the plugin, which was not called: the same step "
                   "again after a growing delay, on whichever worker takes it"),
)

_INDEX = {rule.outcome: rule for rule in REVOCATION_RULES}
# A table that misses an outcome would leave a revocation stuck: refuse it at import.
if set(_INDEX) != set(RevocationOutcome) or len(_INDEX) != len(REVOCATION_RULES):
    raise RuntimeError("revocation rules must have exactly one row per outcome")
if any(rule.call_again == rule.to_state.is_terminal for rule in REVOCATION_RULES):
    raise RuntimeError("exactly the rules that stay REVOKING must call again")


class IllegalRevocationStep(ValueError):
    """A step asked of a revocation that has already ended."""


@dataclass(frozen=True)
class RevocationStep:
    """What the workflow does next: the new state, and the delay before calling again
    (``None`` when the revocation has ended)."""

    to_state: RevocationState
    delay_msec: int | None
    message: str | None


def decide_revocation(state: RevocationState, outcome: RevocationOutcome, *,
                      message: str | None = None, retry_msec: int = 0) -> RevocationStep:
    """The next step of a revocation in ``state`` after ``outcome``.

    :raises IllegalRevocationStep: the revocation has already ended.
    :raises ValueError: unknown outcome, or a negative ``retry_msec``.
    """
    if RevocationState(state).is_terminal:
        raise IllegalRevocationStep(f"the revocation is already {state}")
    rule = _INDEX[RevocationOutcome(outcome)]
    if retry_msec < 0:
        raise ValueError(f"retry_msec must be >= 0, got {retry_msec}")
    return RevocationStep(rule.to_state, retry_msec if rule.call_again else None, message)
