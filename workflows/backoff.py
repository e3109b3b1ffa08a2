"""Waits that double after each failure in a row, up to a cap: the waits of orders and
revocations for a worker with their plugin. (A managed certificate's renewal retry,
``renewal_policy.retry_delay``, doubles float seconds instead: its recorded waits must
stay exactly what they were.)"""

from __future__ import annotations

from datetime import timedelta


def doubled(first: timedelta, cap: timedelta, times: int) -> timedelta:
    """``first`` doubled ``times`` times, never more than ``cap``.

    Doubling stops at the cap: ``first * 2 ** times`` itself overflows a timedelta
    after some 46 doublings of seconds, once a wait has gone on long enough, and every
    workflow task of that workflow would then fail.
    """
    delay = min(first, cap)
    for _ in range(max(0, times)):
        if delay >= cap:
            break
        delay = min(delay * 2, cap)
    return delay


#: Backoff while no worker with the plugin takes the calls of an order or revocation.
NOT_ON_WORKER_FIRST = timedelta(seconds=2)
NOT_ON_WORKER_MAX = timedelta(minutes=5)


def not_on_worker_delay(streak: int) -> timedelta:
    """The wait after ``streak`` calls in a row that found no plugin, before this one."""
    return doubled(NOT_ON_WORKER_FIRST, NOT_ON_WORKER_MAX, streak)
