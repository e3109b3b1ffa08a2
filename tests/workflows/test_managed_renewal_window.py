"""The CA's suggested window moves a managed certificate's renewal (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from managed_helpers import spec

from certorder.plugins.interface.renewal_info import RenewalWindow
from certorder.workflows.managed_models import CertificateVersion, ManagedCertificate
from certorder.workflows.managed_renewal_window import MIN_RECHECK, apply_renewal_info

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _state() -> ManagedCertificate:
    version = CertificateVersion(
        version=1, key_id="k", order_id="o", container_id="c", serial="1",
        not_before=NOW, not_after=NOW + timedelta(days=90), fingerprint_sha256="f",
        issued_at=NOW)
    return ManagedCertificate(name="web", spec=spec(), versions=[version],
                              next_renewal_at=NOW + timedelta(days=60),
                              next_renewal_reason="at 0.6667 of the lifetime")


def _window(start_days: float, end_days: float, retry: float | None = 3600) -> RenewalWindow:
    return RenewalWindow(start=NOW + timedelta(days=start_days),
                         end=NOW + timedelta(days=end_days), retry_after_seconds=retry)


def test_a_window_wins_at_a_random_moment_and_is_rechecked_after_retry_after():
    state = _state()
    apply_renewal_info(state, _window(10, 12), None, None, NOW, 0.25)
    assert state.next_renewal_at == NOW + timedelta(days=10.5)
    assert "(ARI)" in state.next_renewal_reason
    assert state.renewal_info_recheck_at == NOW + timedelta(hours=1)
    # The same window again: the moment stays (no new dice per check).
    apply_renewal_info(state, _window(10, 12, retry=0), None, None, NOW, 0.9)
    assert state.next_renewal_at == NOW + timedelta(days=10.5)
    assert state.renewal_info_recheck_at == NOW + MIN_RECHECK


def test_a_window_that_has_begun_renews_now_and_never_past_not_after():
    state = _state()
    apply_renewal_info(state, _window(-2, -1), None, None, NOW, 0.5)
    assert state.next_renewal_at <= NOW and "now: the window has begun" in state.next_renewal_reason
    assert state.renewal_info_recheck_at is None  # due already: nothing to recheck
    state = _state()
    apply_renewal_info(state, _window(80, 200), None, None, NOW, 0.99)
    assert state.next_renewal_at == state.current.not_after


def test_no_window_keeps_the_policy_and_an_error_is_shown_and_retried():
    state = _state()
    apply_renewal_info(state, None, None, None, NOW, 0.5)
    assert state.next_renewal_at == NOW + timedelta(days=60)
    assert state.renewal_info_recheck_at is None
    apply_renewal_info(state, None, "ACME server unreachable", 30, NOW, 0.5)
    assert state.next_renewal_at == NOW + timedelta(days=60)
    assert state.renewal_info_recheck_at == NOW + timedelta(seconds=30)
    assert state.next_renewal_reason == ("at 0.6667 of the lifetime; renewal information "
                                         "unavailable (ACME server unreachable)")
