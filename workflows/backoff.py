"""Waits that double after each failure in a row, up to a cap: the one formula the
order's and the managed certificate's retries share."""

from __future__ import annotations

from datetime import timedelta


def doubled(first: timedelta, cap: timedelta, times: int) -> timedelta:
    """``first`` doubled ``times`` times, never more than ``cap``.

    Doubling stops at the cap: ``first * 2 ** times`` itself overflows (a timedelta
    after some 46 doublings of seconds, a float after about 1,024) once a wait has gone
    on long enough, and every workflow task of that workflow would then fail.
    """
    delay = min(first, cap)
    for _ in range(max(0, times)):
        if delay >= cap:
            break
        delay = min(delay * 2, cap)
    return delay
