"""The activities' single error boundary, tested without a server (ActivityEnvironment)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from order_fixtures import new_request, waiting
from scripted_plugin import ScriptedPlugin
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from certorder.activities.ca_activities import CaActivities
from certorder.activities.models import PluginCallInput, SelectPluginInput
from certorder.plugins import CAUnavailableError, CertificateStatus, InvalidOrderError
from certorder.plugins.manager import PluginManager


@pytest.fixture
def plugin() -> ScriptedPlugin:
    return ScriptedPlugin()


@pytest.fixture
def activities(plugin) -> CaActivities:
    return CaActivities(PluginManager.from_plugins({"scripted": plugin}))


def _call(order_id: str = "o1", plugin_meta: dict | None = None) -> PluginCallInput:
    return PluginCallInput(order_id=order_id, plugin_name="scripted",
                           order_meta=new_request().order_meta, plugin_meta=plugin_meta or {})


def test_result_and_plugin_meta_come_back(activities, plugin):
    def answer(order_meta, plugin_meta):
        plugin_meta["remote"] = "r-1"
        return waiting(1234, "queued")

    plugin.script("o1", answer)
    out = ActivityEnvironment().run(activities.issue_certificate_request, _call())
    assert (out.status, out.status_message, out.retry_msec) == (
        CertificateStatus.WAITING_FOR_CA, "queued", 1234)
    assert out.plugin_meta == {"remote": "r-1"}


def test_ca_unavailable_exception_becomes_a_result(activities, plugin):
    plugin.script("o1", CAUnavailableError("connection refused", retry_msec=9000))
    out = ActivityEnvironment().run(activities.check_certificate_status, _call())
    assert out.status is CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST
    assert (out.status_message, out.retry_msec) == ("connection refused", 9000)


def test_other_exception_is_non_retryable_with_its_type(activities, plugin):
    given = {"remote": "r-1"}

    def broken(order_meta, plugin_meta):
        plugin_meta["half"] = "written"
        raise ValueError("bad serial")

    plugin.script("o1", broken)
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(activities.modify_certificate_request, _call(plugin_meta=given))
    assert raised.value.non_retryable and raised.value.type == "ValueError"
    assert raised.value.message == "bad serial"
    assert given == {"remote": "r-1"}  # the failed attempt did not touch the input


def test_a_result_that_is_not_a_result_dto_ends_the_order(activities, plugin):
    plugin.script("o1", lambda order_meta, plugin_meta: {"status": "waiting for CA"})
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(activities.cancel_certificate_request, _call())
    assert raised.value.non_retryable and raised.value.type == "TypeError"


def test_selection_failure_is_final_but_an_unreachable_ca_is_retried(activities, plugin,
                                                                     monkeypatch):
    bad = SelectPluginInput(order_id="o1", order_meta={"request_type": "simple-cmc",
                                                       "request_data": "junk"})
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(activities.select_plugin, bad)
    assert raised.value.non_retryable and raised.value.type == InvalidOrderError.__name__

    def unreachable(order_meta):
        raise CAUnavailableError("CA list unavailable", retry_msec=5000)

    monkeypatch.setattr(activities._plugins, "validate_order", unreachable)
    good = SelectPluginInput(order_id="o1", order_meta=new_request().order_meta)
    with pytest.raises(ApplicationError) as raised:
        ActivityEnvironment().run(activities.select_plugin, good)
    assert not raised.value.non_retryable
    assert raised.value.next_retry_delay == timedelta(seconds=5)


def test_a_plugin_this_worker_lacks_is_not_called_and_the_order_waits(activities):
    # A rolling deploy: the order was accepted by a worker that has the plugin.
    call = _call().model_copy(update={"plugin_name": "gone", "plugin_meta": {"k": 1}})
    result = ActivityEnvironment().run(activities.issue_certificate_request, call)
    assert "does not have plugin 'gone' enabled" in result.not_on_worker
    assert result.plugin_meta == {"k": 1} and result.certificate is None
