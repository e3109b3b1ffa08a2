"""The renewal-information activity on a worker that has not enabled the plugin that
issued the certificate: it says so, and the managed certificate asks again, later each
time, instead of taking "nothing suggested" for good (the workflow side:
``tests/workflows/test_managed_renewal_info_workers.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from order_fixtures import issued_for, new_request
from scripted_plugin import ScriptedPlugin
from temporalio.testing import ActivityEnvironment

from certorder.activities.renewal_info_activities import (
    RenewalInfoActivities,
    RenewalInfoInput,
)
from certorder.plugins.interface.renewal_info import DEFAULT_RECHECK_SECONDS, RenewalWindow
from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore
from certorder.workflows.managed_models import (
    CertificateSpec,
    CertificateVersion,
    ManagedCertificate,
)
from certorder.workflows.managed_renewal_window import apply_not_on_worker, apply_renewal_info

NOW = datetime(2026, 12, 1, tzinfo=UTC)
WHY = ("plugin 'acme', which issued the certificate, is not enabled on the worker that "
       "was asked")


@pytest.fixture
def store(tmp_path):
    opened = CertificateStore.open(f"sqlite:///{tmp_path / 'certorder.db'}")
    yield opened
    opened.close()


def _stored(store, plugin_name: str) -> None:
    issued = issued_for(new_request().csr)
    store.store_certificate(order_id="o1", plugin_name=plugin_name, ca_id=None,
                            certificate=issued.certificate, intermediates=issued.intermediates)


def _ask(store, plugins: dict):
    activities = RenewalInfoActivities(PluginManager.from_plugins(plugins), store)
    return ActivityEnvironment().run(activities.suggested_renewal_window,
                                     RenewalInfoInput(order_id="o1"))


def test_a_worker_without_the_plugin_says_so_and_nothing_else(store):
    _stored(store, "acme")
    answer = _ask(store, {"scripted": ScriptedPlugin()})
    assert answer.not_on_worker == WHY
    # Nothing else: workflow code from before not_on_worker reads "nothing suggested".
    assert (answer.window, answer.error, answer.recheck_seconds) == (None, None, None)


def test_a_worker_with_a_plugin_that_suggests_nothing_says_nothing_suggested(store):
    _stored(store, "scripted")
    answer = _ask(store, {"scripted": ScriptedPlugin()})
    assert (answer.window, answer.error, answer.not_on_worker) == (None, None, None)


def _state() -> ManagedCertificate:
    return ManagedCertificate(
        name="web", spec=CertificateSpec(dns_names=["web.example"]),
        next_renewal_at=NOW + timedelta(days=60), next_renewal_reason="at 2/3 of validity",
        versions=[CertificateVersion(version=1, key_id="k", order_id="o1", container_id="c",
                                     serial="1", fingerprint_sha256="ab", not_before=NOW,
                                     not_after=NOW + timedelta(days=90), issued_at=NOW)])


def test_the_certificate_asks_again_later_each_time_and_shows_why():
    state = _state()
    waits = []
    for _ in range(12):
        apply_not_on_worker(state, WHY, NOW)
        waits.append(state.renewal_info_recheck_at - NOW)
    assert waits[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waits[-1] == timedelta(seconds=DEFAULT_RECHECK_SECONDS)  # a few asks a day
    assert state.next_renewal_at == NOW + timedelta(days=60)  # the policy's time stands
    assert state.next_renewal_reason == (
        f"at 2/3 of validity; renewal information unavailable ({WHY}); asking again in 6h")


def test_an_answer_from_a_worker_with_the_plugin_starts_the_backoff_again():
    state = _state()
    apply_not_on_worker(state, WHY, NOW)
    apply_not_on_worker(state, WHY, NOW)
    window = RenewalWindow(start=NOW + timedelta(days=10), end=NOW + timedelta(days=11))
    apply_renewal_info(state, window, None, None, NOW, 0.5)
    assert state.renewal_info_not_on_worker == 0
    assert "(ARI)" in state.next_renewal_reason and "unavailable" not in state.next_renewal_reason
    apply_not_on_worker(state, WHY, NOW)
    assert state.renewal_info_recheck_at == NOW + timedelta(minutes=1)


def test_a_failed_ask_keeps_the_backoff_and_asks_by_the_task_queue_still():
    state = _state()
    apply_not_on_worker(state, WHY, NOW)
    apply_not_on_worker(state, WHY, NOW)
    # An error may come from any worker (the activity failed): no answer of the plugin.
    apply_renewal_info(state, None, "the activity timed out", 60, NOW, 0.5)
    assert state.renewal_info_not_on_worker == 2
    apply_not_on_worker(state, WHY, NOW)
    assert state.renewal_info_recheck_at == NOW + timedelta(minutes=4)
