"""The wait between calls that found no worker with the order's plugin: it doubles to
a cap, and stays there however long the order waits (hours of retries at the cap must
not overflow the doubling)."""

from __future__ import annotations

from datetime import timedelta

from certorder.workflows.backoff import (
    NOT_ON_WORKER_FIRST,
    NOT_ON_WORKER_MAX,
    doubled,
    not_on_worker_delay,
)


def test_the_delay_doubles_from_the_first_to_the_cap():
    delays = [not_on_worker_delay(streak) for streak in range(12)]
    assert delays[0] == NOT_ON_WORKER_FIRST
    assert delays[1] == 2 * NOT_ON_WORKER_FIRST
    assert all(b == min(2 * a, NOT_ON_WORKER_MAX) for a, b in zip(delays, delays[1:], strict=False))
    assert delays[-1] == NOT_ON_WORKER_MAX


def test_a_day_of_retries_at_the_cap_stays_at_the_cap():
    # About 300 calls a day at five minutes; 2 s * 2**46 no longer fits a timedelta.
    for streak in (46, 300, 10_000):
        assert not_on_worker_delay(streak) == NOT_ON_WORKER_MAX


def test_the_cap_is_minutes_not_hours():
    assert NOT_ON_WORKER_MAX <= timedelta(minutes=5)


def test_doubling_starts_at_the_cap_when_the_first_wait_is_longer():
    cap = timedelta(seconds=3)
    assert doubled(timedelta(seconds=10), cap, 0) == cap
    assert doubled(timedelta(seconds=1), cap, -1) == timedelta(seconds=1)
    assert [doubled(timedelta(seconds=1), cap, n).total_seconds() for n in range(4)] == \
        [1, 2, 3, 3]
