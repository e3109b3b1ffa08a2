"""When a certificate is renewed, and how long a failed renewal waits: pure functions.

The lifetime counts from when the certificate arrived, not from its notBefore: CAs
backdate notBefore (the local CA by 5 minutes) to absorb clock skew, and that must not
pull the renewal forward.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from certorder.workflows.managed_models import MAX_POLICY_SECONDS, RenewalPolicy

#: Jitter: up to this share of the wait, at most MAX_JITTER, taken off the renewal
#: time so that certificates issued together do not renew in the same second.
JITTER_SHARE = 0.02
MAX_JITTER = timedelta(hours=1)


def renewal_time(not_before: datetime, not_after: datetime, issued_at: datetime,
                 policy: RenewalPolicy, jitter: float) -> tuple[datetime, str]:
    """(when to renew, why then). ``jitter`` is a number in [0, 1) from the workflow's
    deterministic random generator."""
    start = max(not_before, issued_at)
    lifetime = not_after - start
    if policy.renew_before_seconds is not None:
        # Bounded for policies recorded before the bound (a datetime cannot go back
        # thousands of years); any margin that long is longer than the lifetime anyway.
        margin = timedelta(seconds=min(policy.renew_before_seconds, MAX_POLICY_SECONDS))
        if margin < lifetime:
            due, why = not_after - margin, f"{human(margin)} before notAfter"
        else:
            due = start + lifetime * (2 / 3)
            why = (f"at 2/3 of the lifetime: the margin {human(margin)} is longer than "
                   f"the certificate's lifetime {human(lifetime)}")
    else:
        due, why = start + lifetime * policy.renew_at, f"at {policy.renew_at:.4g} of the lifetime"
    spread = min((due - start) * JITTER_SHARE, MAX_JITTER) * jitter
    return due - spread, why + f" (minus {spread.total_seconds():.1f} s jitter)"


def retry_delay(policy: RenewalPolicy, failures: int) -> timedelta:
    """Backoff after ``failures`` failed attempts in a row (1 → the initial delay)."""
    # At most 64 doublings: 2 ** failures itself overflows a float after about 1,024
    # failed renewals in a row, and 64 take any first wait worth a timer past any cap,
    # so below the cap these are the plain doubling's waits. The cap is bounded for
    # policies recorded before MAX_POLICY_SECONDS (a timer cannot wait for ever).
    doublings = min(max(0, failures - 1), 64)
    seconds = policy.retry_initial_seconds * 2 ** doublings
    return timedelta(seconds=min(seconds, policy.retry_max_seconds, MAX_POLICY_SECONDS))


def human(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{v}{u}" for v, u in ((days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")) if v]
    return "".join(parts) or f"{delay.total_seconds():.1f}s"
