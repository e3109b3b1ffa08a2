"""What the CA's suggested renewal window (ACME ARI, RFC 9773) does to a managed
certificate's renewal time. Pure: no Temporal; the caller passes the workflow's clock
and a number from its deterministic random generator.

RFC 9773 section 4.2: renew at a uniformly random moment inside the window, at once if
that moment has passed; ask again after the server's Retry-After. The window wins over
the fraction/margin policy; a CA that suggests nothing leaves the policy's time.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from certorder.plugins.interface.renewal_info import DEFAULT_RECHECK_SECONDS, RenewalWindow
from certorder.workflows.backoff import doubled
from certorder.workflows.managed_models import ManagedCertificate
from certorder.workflows.renewal_policy import human

#: Retry-After is honoured within these bounds: no busy loop on "0", no silence for weeks.
MIN_RECHECK = timedelta(seconds=1)
MAX_RECHECK = timedelta(days=1)
#: Asking again after a worker without the plugin answered: from a minute, doubling up
#: to the RFC's default recheck, so that a plugin no worker has costs a few asks a day.
#: Recorded runs wake at the times these gave: changing them needs a workflow.patched.
NOT_ON_WORKER_FIRST = timedelta(minutes=1)
NOT_ON_WORKER_MAX = timedelta(seconds=DEFAULT_RECHECK_SECONDS)


def recheck_delay(seconds: float | None) -> timedelta:
    delay = timedelta(seconds=DEFAULT_RECHECK_SECONDS if seconds is None else seconds)
    return min(max(delay, MIN_RECHECK), MAX_RECHECK)


def apply_renewal_info(state: ManagedCertificate, window: RenewalWindow | None,
                       error: str | None, recheck_seconds: float | None, now: datetime,
                       random: float) -> None:
    """Update ``state`` with one answer of the plugin (``window``, ``error``, or neither)."""
    current = state.current
    if current is None:
        return
    if error is None:  # a worker with the plugin answered (a failure may be from any)
        state.renewal_info_not_on_worker = 0
    if window is None and error is None:
        state.renewal_info_recheck_at = None  # nothing suggested: the policy decides
        return
    if window is None:
        state.renewal_info_recheck_at = now + recheck_delay(recheck_seconds)
        reason = (state.next_renewal_reason or "").split("; renewal information")[0]
        state.next_renewal_reason = f"{reason}; renewal information unavailable ({error})"
        return
    known = state.renewal_window
    if known is None or (known.start, known.end) != (window.start, window.end):
        # A new or changed window: a new random moment in it (RFC 9773 section 4.2).
        moment = min(window.start + (window.end - window.start) * random, current.not_after)
        state.next_renewal_at = moment
        when = "now: the window has begun" if moment <= now else "a random moment in it"
        explained = f"; see {window.explanation_url}" if window.explanation_url else ""
        state.next_renewal_reason = (
            f"in the CA's suggested window {_iso(window.start)} .. {_iso(window.end)} "
            f"(ARI), at {when}{explained}")
    state.renewal_window = window
    recheck = now + recheck_delay(window.retry_after_seconds)
    due = state.next_renewal_at
    state.renewal_info_recheck_at = recheck if due is None or recheck < due else None


def apply_not_on_worker(state: ManagedCertificate, why: str, now: datetime) -> None:
    """The worker asked had not enabled the plugin: it cannot know what the CA would
    suggest, so the time stands as it was and the core asks again, later each time."""
    delay = doubled(NOT_ON_WORKER_FIRST, NOT_ON_WORKER_MAX, state.renewal_info_not_on_worker)
    state.renewal_info_not_on_worker += 1
    state.renewal_info_recheck_at = now + delay
    reason = (state.next_renewal_reason or "").split("; renewal information")[0]
    state.next_renewal_reason = (f"{reason}; renewal information unavailable ({why}); "
                                 f"asking again in {human(delay)}")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
