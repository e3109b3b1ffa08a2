"""A plugin that declares ``quick_checks``: its status checks are local activities (a
poll cycle of 7 history events instead of 12), its issue stays an activity with
heartbeats, and a check that lands on a worker without the plugin falls back to an
activity that a worker with it takes (docs/plugin-development.md, "Quick checks")."""

from __future__ import annotations

import uuid

from history_events import activities, kinds, local_activities, patch_ids, poll_cycles
from order_fixtures import issued_for, new_request, waiting
from order_harness import order_worker
from scripted_plugin import QuickCheckScriptedPlugin, ScriptedPlugin

from certorder.workflows.models import OrderStatus

#: Timer started and fired, one workflow task, the check's local activity, and the
#: upsert of the next attempt's time (CertificateOrderNextAttempt).
MAX_EVENTS_PER_POLL_CYCLE = 7
ISSUE, CHECK = "issue_certificate_request", "check_certificate_status"
WAITING_FOR_PLUGIN = "waiting for a worker with the plugin"
#: What the "quick-checks" patch costs, once per run, in the cycle of the first check:
#: its marker, and the TemporalChangeVersion upsert the SDK adds with it.
PATCH_EVENTS = 2


async def test_quick_checks_take_at_most_7_events_a_cycle_and_issue_stays_an_activity(
        temporal_env, tmp_path):
    plugin = QuickCheckScriptedPlugin("checks")
    request, order_id = new_request(), f"quick-checks-{uuid.uuid4().hex}"
    plugin.script(order_id, waiting(), waiting(), waiting(), waiting(), issued_for(request.csr))
    async with order_worker(temporal_env, {"checks": plugin}, tmp_path) as orders:
        handle = await orders.start({**request.order_meta, "plugin_name": "checks"},
                                    order_id=order_id)
        document = await orders.result(handle)
        history = await handle.fetch_history()
        assert orders.store.get_by_order(order_id) is not None
    assert document.status is OrderStatus.ACTIVE
    assert [call.method for call in plugin.calls_for(order_id)] == [ISSUE] + [CHECK] * 4
    cycles = poll_cycles(history)
    assert len(cycles) == 4
    for cycle in cycles[:-1]:
        patch = PATCH_EVENTS * len(patch_ids(cycle))
        assert len(cycle) - patch <= MAX_EVENTS_PER_POLL_CYCLE, "\n".join(kinds(cycle))
    # The last one also completes the workflow.
    assert len(cycles[-1]) <= MAX_EVENTS_PER_POLL_CYCLE + 1, "\n".join(kinds(cycles[-1]))
    # The issue is an activity (heartbeats, exactly once at the CA); the checks, and the
    # store write of the last one, are local activities.
    assert activities(history.events) == [ISSUE], kinds(history.events)
    assert local_activities(history.events).count("quick_plugin_call") == 4
    assert patch_ids(history.events).count("quick-checks") == 1
    assert patch_ids(cycles[0]) == ["quick-checks"]  # asked once, at the first check


async def test_a_quick_check_on_a_worker_without_the_plugin_is_made_again_as_an_activity(
        temporal_env, tmp_path):
    plugin = QuickCheckScriptedPlugin("checks")
    request, order_id = new_request(), f"quick-checks-moved-{uuid.uuid4().hex}"
    plugin.script(order_id, waiting(retry_msec=500), issued_for(request.csr))
    queue = f"tq-{uuid.uuid4().hex}"
    async with order_worker(temporal_env, {"checks": plugin}, tmp_path / "first",
                            task_queue=queue) as first:
        handle = await first.start({**request.order_meta, "plugin_name": "checks"},
                                   order_id=order_id)
        await first.wait_for(handle, lambda doc: len(doc.transitions) == 1)
    # The timer fires on a worker that lacks the plugin: the local check runs there,
    # finds no plugin, and reaches nothing.
    async with order_worker(temporal_env, {"other": ScriptedPlugin("other")},
                            tmp_path / "without", task_queue=queue) as without:
        await without.wait_for(handle, lambda doc: doc.sub_status == WAITING_FOR_PLUGIN)
    async with order_worker(temporal_env, {"checks": plugin}, tmp_path / "again",
                            task_queue=queue) as again:
        document = await again.result(handle)
        history = await handle.fetch_history()
        assert again.store.get_by_order(order_id) is not None
    assert document.status is OrderStatus.ACTIVE
    assert [call.method for call in plugin.calls_for(order_id)] == [ISSUE, CHECK]
    # One local check (the one that found no plugin); the check made after it is an
    # activity, which any worker with the plugin may take.
    assert local_activities(history.events).count("quick_plugin_call") == 1
    assert activities(history.events)[:1] == [ISSUE]
    assert CHECK in activities(history.events), kinds(history.events)
