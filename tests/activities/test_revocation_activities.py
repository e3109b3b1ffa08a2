"""The revocation activities on a worker that has not enabled the certificate's plugin:
they say so, and ask nothing of any CA, so that the workflow tries again elsewhere."""

from __future__ import annotations

import pytest
from order_fixtures import issued_for, new_request
from scripted_plugin import ScriptedPlugin
from temporalio.testing import ActivityEnvironment

from certorder.activities.revocation_activities import RevocationActivities
from certorder.activities.revocation_models import RevocationTargetInput, RevokeCallInput
from certorder.plugins import RevocationReason
from certorder.plugins.manager import PluginManager
from certorder.store import CertificateStore


@pytest.fixture
def store(tmp_path):
    opened = CertificateStore.open(f"sqlite:///{tmp_path / 'certorder.db'}")
    yield opened
    opened.close()


@pytest.fixture
def without_local_ca(store):
    plugin = ScriptedPlugin()
    return RevocationActivities(PluginManager.from_plugins({"scripted": plugin}), store), plugin


def test_the_target_of_another_plugins_certificate_is_not_on_this_worker(
        store, without_local_ca):
    activities, _ = without_local_ca
    request = new_request()
    issued = issued_for(request.csr)
    store.store_certificate(order_id="o1", plugin_name="local-ca", ca_id=None,
                            certificate=issued.certificate, intermediates=issued.intermediates)
    target = ActivityEnvironment().run(activities.find_revocation_target,
                                       RevocationTargetInput(order_id="o1"))
    why = ("plugin 'local-ca', which issued the certificate, is not enabled on this worker; "
           "waiting for a worker that has it")
    assert target.not_on_worker == why and target.certificate is None
    # Workflow code of before not_on_worker (a rolling deploy) refuses, as it always did.
    assert target.refusal == why


def test_a_revoke_call_for_another_plugin_asks_nothing_of_any_ca(without_local_ca):
    activities, scripted = without_local_ca
    call = RevokeCallInput(order_id="o1", plugin_name="local-ca", certificate="PEM",
                           reason=RevocationReason.SUPERSEDED, plugin_meta={"kept": 1})
    result = ActivityEnvironment().run(activities.revoke_certificate, call)
    assert result.status is None and "not enabled on this worker" in result.not_on_worker
    assert scripted.calls == []
