"""Plugin calls heartbeat, carry the plugin's reported progress, and a retried attempt
resumes from it (tested without a server: ActivityEnvironment)."""

from __future__ import annotations

import dataclasses
import time

import pytest
from order_fixtures import new_request, waiting
from scripted_plugin import ScriptedPlugin
from temporalio.testing import ActivityEnvironment

from certorder.activities import call_heartbeat
from certorder.activities.ca_activities import CaActivities
from certorder.activities.models import PluginCallInput
from certorder.plugins.manager import PluginManager


class ProgressPlugin(ScriptedPlugin):
    """Records what each issue call saw, reports progress, and blocks a little."""

    def __init__(self) -> None:
        super().__init__("progress")
        self.seen: list[tuple[dict, object]] = []
        self.block_seconds = 0.0

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        self.seen.append((dict(plugin_meta), core_meta.interrupted_since))
        plugin_meta.setdefault("request_id", "r-1")
        core_meta.report_progress(plugin_meta)
        time.sleep(self.block_seconds)
        return waiting(1000, "queued")


@pytest.fixture
def plugin() -> ProgressPlugin:
    return ProgressPlugin()


@pytest.fixture
def activities(plugin) -> CaActivities:
    return CaActivities(PluginManager.from_plugins({"progress": plugin}))


def _call() -> PluginCallInput:
    return PluginCallInput(order_id="o1", plugin_name="progress",
                           order_meta=new_request().order_meta, plugin_meta={})


def test_reported_progress_is_heartbeated(activities, plugin):
    env = ActivityEnvironment()
    beats: list[tuple] = []
    env.on_heartbeat = lambda *details: beats.append(details)
    env.run(activities.issue_certificate_request, _call())
    assert ({"request_id": "r-1"},) in beats
    assert plugin.seen == [({}, None)]  # a first attempt: not interrupted


def test_a_blocked_call_keeps_heartbeating(activities, plugin, monkeypatch):
    monkeypatch.setattr(call_heartbeat, "HEARTBEAT_INTERVAL", 0.05)
    plugin.block_seconds = 0.5
    env = ActivityEnvironment()
    beats: list[tuple] = []
    env.on_heartbeat = lambda *details: beats.append(details)
    env.run(activities.issue_certificate_request, _call())
    assert len(beats) >= 4  # one report, then the helper's beats with the latest meta
    assert all(details == ({"request_id": "r-1"},) for details in beats)


def test_a_retried_attempt_resumes_from_the_last_report(activities, plugin):
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=2,
                                   heartbeat_details=[{"request_id": "r-7"}])
    out = env.run(activities.issue_certificate_request, _call())
    assert plugin.seen == [({"request_id": "r-7"}, env.info.scheduled_time)]
    assert out.plugin_meta == {"request_id": "r-7"}
