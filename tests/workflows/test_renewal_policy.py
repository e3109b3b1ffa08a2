"""Renewal times, jitter, backoff and what a failure does to the state (pure code)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from certorder.workflows.managed_failures import after_failure
from certorder.workflows.managed_models import (
    MAX_POLICY_SECONDS,
    CertificateSpec,
    CertificateVersion,
    ManagedCertificate,
    ManagedStatus,
    RenewalPolicy,
)
from certorder.workflows.renewal_policy import renewal_time, retry_delay

T0 = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def test_two_thirds_of_the_lifetime_counted_from_arrival_not_backdated_not_before():
    due, why = renewal_time(T0 - timedelta(minutes=5), T0 + 90 * DAY, T0, RenewalPolicy(), 0.0)
    assert due == T0 + 60 * DAY and why.startswith("at 0.6667 of the lifetime")


def test_a_margin_before_not_after_and_one_longer_than_the_lifetime():
    policy = RenewalPolicy(renew_before_seconds=30 * 86400)
    assert renewal_time(T0, T0 + 90 * DAY, T0, policy, 0.0)[0] == T0 + 60 * DAY
    too_long = RenewalPolicy(renew_before_seconds=100 * 86400)
    due, why = renewal_time(T0, T0 + 90 * DAY, T0, too_long, 0.0)
    assert due == T0 + 60 * DAY and "longer than" in why


def test_jitter_is_at_most_two_percent_of_the_wait_and_one_hour():
    short = renewal_time(T0, T0 + timedelta(seconds=300), T0, RenewalPolicy(), 0.999)[0]
    assert T0 + timedelta(seconds=196) < short <= T0 + timedelta(seconds=200)
    long = renewal_time(T0, T0 + 90 * DAY, T0, RenewalPolicy(), 0.999)[0]
    assert T0 + 60 * DAY - timedelta(hours=1) <= long < T0 + 60 * DAY


def test_backoff_doubles_up_to_its_ceiling():
    policy = RenewalPolicy(retry_initial_seconds=60, retry_max_seconds=300)
    assert [retry_delay(policy, n).total_seconds() for n in (1, 2, 3, 4, 5)] == \
        [60, 120, 240, 300, 300]


def test_backoff_after_years_of_failures_stays_at_its_ceiling():
    # 60 * 2 ** 1100 no longer fits a float: the renewal's workflow task would fail.
    policy = RenewalPolicy(retry_initial_seconds=60, retry_max_seconds=300)
    assert retry_delay(policy, 1101).total_seconds() == 300
    fractional = RenewalPolicy(retry_initial_seconds=0.5, retry_max_seconds=0.75)
    assert [retry_delay(fractional, n).total_seconds() for n in (1, 2, 3)] == [0.5, 0.75, 0.75]
    # The smallest first wait still reaches the largest cap.
    extremes = RenewalPolicy(retry_initial_seconds=0.001, retry_max_seconds=MAX_POLICY_SECONDS)
    assert retry_delay(extremes, 10_000).total_seconds() == MAX_POLICY_SECONDS


@pytest.mark.parametrize("endless", [1e12, float("inf")])
def test_a_policy_recorded_before_the_bound_still_decodes_and_waits_finitely(endless):
    # A running workflow's recorded input must decode; its waits are bounded in use
    # (these overflowed a timedelta or a datetime and failed the workflow task).
    recorded = RenewalPolicy.model_validate({"retry_initial_seconds": 0.0005,
                                             "retry_max_seconds": endless,
                                             "renew_before_seconds": endless})
    assert retry_delay(recorded, 5000).total_seconds() == MAX_POLICY_SECONDS
    due, why = renewal_time(T0, T0 + DAY, T0, recorded, 0.0)
    assert T0 < due < T0 + DAY and "longer than" in why


def _state() -> ManagedCertificate:
    version = CertificateVersion(version=1, key_id="k", order_id="o", container_id="c",
                                 serial="1", not_before=T0, not_after=T0 + DAY,
                                 fingerprint_sha256="f", issued_at=T0)
    return ManagedCertificate(name="www", spec=CertificateSpec(dns_names=["a.test"]),
                              versions=[version])


def test_a_failure_before_not_after_retries_no_later_than_not_after():
    state = _state()
    after_failure(state, T0 + DAY - timedelta(seconds=30), "CA down")
    assert state.status is ManagedStatus.RENEWAL_FAILING
    assert state.next_renewal_at == T0 + DAY  # 60 s backoff, cut at notAfter
    assert "CA down" in state.message and "stays deployed" in state.message


def test_a_failure_after_not_after_is_expired_and_stops():
    state = _state()
    after_failure(state, T0 + DAY, "CA down")
    assert state.status is ManagedStatus.EXPIRED and state.next_renewal_at is None
    assert "cert renew www" in state.message
