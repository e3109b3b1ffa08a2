"""How an order reads in the Temporal UI: why it waits, until when, and what to do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certorder.plugins.interface.status import PluginMethod
from certorder.workflows import order_presentation as ui
from certorder.workflows.models import OrderDocument, OrderStatus

NOW = datetime(2026, 12, 1, 11, 45, 0, 123456, tzinfo=UTC)


def _waiting(sub_status: str, method: PluginMethod, delay: timedelta) -> OrderDocument:
    return OrderDocument(order_id="o-1", sub_status=sub_status, next_method=method,
                         next_attempt_at=NOW + delay, plugin_name="digicert")


def test_a_timer_says_why_what_and_when():
    doc = _waiting("CA unavailable for request", PluginMethod.ISSUE, timedelta(minutes=15))
    assert ui.timer_summary(doc, NOW) == \
        "CA unavailable for request: issue in 15m0s (at 2026-12-01 12:00:00 UTC)"


def test_current_details_show_relative_and_utc_times_without_microseconds():
    doc = _waiting("waiting for CA", PluginMethod.CHECK, timedelta(hours=1))
    details = ui.current_details(doc, NOW)
    assert "**Next:** waiting for CA: check in 1h0m0s (at 2026-12-01 12:45:00 UTC)" in details
    assert "as of 2026-12-01 11:45:00 UTC" in details and ".123456" not in details


def test_a_client_data_issue_says_how_to_fix_it():
    doc = _waiting("client data issue seen", PluginMethod.CHECK, timedelta(hours=1))
    assert "certorder order modify o-1 --meta KEY=VALUE" in ui.current_details(doc, NOW)


def test_a_missing_plugin_says_which_worker_setting_to_change():
    doc = _waiting("waiting for a worker with the plugin", PluginMethod.ISSUE,
                   timedelta(seconds=2))
    assert "plugin `digicert` in `enabled_plugins`" in ui.current_details(doc, NOW)


def test_a_finished_order_has_nothing_to_do():
    doc = OrderDocument(order_id="o-2", status=OrderStatus.ERROR, sub_status="plugin raised")
    assert ui.what_to_do(doc) is None and "What to do" not in ui.current_details(doc, NOW)
