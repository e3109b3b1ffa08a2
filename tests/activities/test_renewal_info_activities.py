"""The renewal-information activity on a worker that has not enabled the plugin that
issued the certificate: it says it could not ask, so that the managed certificate asks
again (likely of another worker) instead of taking "nothing suggested" for good."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from order_fixtures import issued_for, new_request
from scripted_plugin import ScriptedPlugin
from temporalio.testing import ActivityEnvironment

from certorder.activities.renewal_info_activities import (
    NOT_ON_WORKER_RECHECK_SECONDS,
    RenewalInfoActivities,
    RenewalInfoInput,
)
from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore
from certorder.workflows.managed_models import (
    CertificateSpec,
    CertificateVersion,
    ManagedCertificate,
)
from certorder.workflows.managed_renewal_window import apply_renewal_info

NOW = datetime(2026, 12, 1, tzinfo=UTC)


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


def test_a_worker_without_the_plugin_says_it_could_not_ask(store):
    _stored(store, "acme")
    answer = _ask(store, {"scripted": ScriptedPlugin()})
    assert answer.window is None
    assert answer.error == ("plugin 'acme', which issued the certificate, is not enabled "
                            "on the worker that was asked")
    assert answer.recheck_seconds == NOT_ON_WORKER_RECHECK_SECONDS


def test_a_worker_with_a_plugin_that_suggests_nothing_says_nothing_suggested(store):
    _stored(store, "scripted")
    answer = _ask(store, {"scripted": ScriptedPlugin()})
    assert (answer.window, answer.error, answer.recheck_seconds) == (None, None, None)


def test_the_managed_certificate_asks_again_soon_and_shows_why():
    state = ManagedCertificate(
        name="web", spec=CertificateSpec(dns_names=["web.example"]),
        next_renewal_at=NOW + timedelta(days=60), next_renewal_reason="at 2/3 of validity",
        versions=[CertificateVersion(version=1, key_id="k", order_id="o1", container_id="c",
                                     serial="1", fingerprint_sha256="ab", not_before=NOW,
                                     not_after=NOW + timedelta(days=90), issued_at=NOW)])
    apply_renewal_info(state, None, "plugin 'acme', which issued the certificate, is not "
                       "enabled on the worker that was asked", NOT_ON_WORKER_RECHECK_SECONDS,
                       NOW, 0.5)
    assert state.renewal_info_recheck_at == NOW + timedelta(minutes=1)
    assert state.next_renewal_at == NOW + timedelta(days=60)
    assert state.next_renewal_reason == (
        "at 2/3 of validity; renewal information unavailable (plugin 'acme', which issued "
        "the certificate, is not enabled on the worker that was asked)")
