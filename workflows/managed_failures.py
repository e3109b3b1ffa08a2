"""What a failed attempt at a new version does to a managed certificate's state: back
off and retry before notAfter, EXPIRED after it. Pure: no Temporal, the caller passes
the workflow's clock."""

from __future__ import annotations

from datetime import datetime

from certorder.workflows.managed_models import ManagedCertificate, ManagedStatus
from certorder.workflows.renewal_policy import human, retry_delay


def after_failure(state: ManagedCertificate, now: datetime, why: str) -> None:
    """Record the failure ``why`` and schedule (or stop) the next attempt."""
    state.failures += 1
    current = state.current
    if current is not None and now >= current.not_after:
        state.status, state.next_renewal_at, state.next_renewal_reason = (
            ManagedStatus.EXPIRED, None, None)
        state.message = (f"renewal failed through notAfter ({why}); the expired "
                         f"certificate stays deployed; run `certorder cert renew {state.name}`")
        return
    delay = retry_delay(state.spec.renewal, state.failures)
    due = now + delay
    if current is not None:
        due = min(due, current.not_after)
        state.status = ManagedStatus.RENEWAL_FAILING
    state.next_renewal_at = due
    state.next_renewal_reason = f"retry #{state.failures + 1} after a failure"
    kept = " (the current certificate stays deployed)" if current else ""
    state.message = f"attempt {state.failures} failed: {why}; retrying in {human(delay)}{kept}"
