"""The benchmarks still run (at a tiny size: the figures themselves are bench/'s, in
docs/performance.md, never a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _bench(*argv: str) -> object:
    done = subprocess.run([sys.executable, "-m", *argv, "--json"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    is_list = argv[0] in ("bench.throughput", "bench.cached_memory")
    return json.loads(done.stdout[done.stdout.index("[" if is_list else "{"):])


def test_throughput_compares_orders_with_plain_workflows():
    rows = _bench("bench.throughput", "--runs", "3", "--concurrency", "2", "--rounds", "1")
    kinds = {row["kind"] for row in rows if "per_second" in row}
    assert kinds == {"plain, 1 activity", "plain, 3 activities", "certorder order"}
    assert all(row["runs"] == 3 and row["per_second"] > 0 for row in rows if "runs" in row)
    [events] = [row["history_events"] for row in rows if "history_events" in row]
    assert events > 0


def test_pending_orders_all_complete_and_lateness_is_measured():
    report = _bench("bench.pending", "--orders", "6", "--delay", "1", "--rate", "10")
    assert report["lost"] == 0 and report["checked"] == 6
    assert report["late_p99_s"] >= 0 and report["worker_rss_max_mb"] > 0


def test_pending_orders_with_quick_checks_complete_with_fewer_events():
    report = _bench("bench.pending", "--orders", "2", "--delay", "1", "--rate", "10",
                    "--quick-checks")
    assert report["lost"] == 0 and report["quick_checks"] is True
    # Waited once: the check's local activity instead of an activity and a workflow task.
    assert report["history_events"] < 30


def test_pending_burst_drains_and_is_set_against_the_order_yardstick():
    report = _bench("bench.pending", "--orders", "20", "--delay", "3", "--rate", "20",
                    "--burst", "--yardstick", "10")
    assert report["lost"] == 0 and report["checked"] == 20 and report["burst"] is True
    # Every check ran after the one due instant (by the bench's clock, not the CA's), and
    # the figures follow from it.
    assert 0 <= report["burst_first_done_s"] <= report["burst_drain_s"]
    assert 0 <= report["late_max_s"] <= report["burst_drain_s"] <= report["burst_all_active_s"]
    # (Both are rounded.)
    assert report["burst_checks_per_s"] == pytest.approx(20 / report["burst_drain_s"], rel=0.05)
    assert report["yardstick_runs"] == 10 and report["yardstick_per_second"] > 0
    assert report["drain_ratio"] == pytest.approx(
        report["burst_checks_per_s"] / report["yardstick_per_second"], abs=0.01)


def _per_workflow_is_the_rss_difference(row: dict, workflows: int) -> bool:
    # Both readings are rounded to 0.1 MB, the figure to 0.1 KB.
    tolerance = 0.1 * 1024 / workflows + 0.05
    return row["kb_per_workflow"] == pytest.approx(
        (row["worker_rss_after_mb"] - row["worker_rss_before_mb"]) * 1024 / workflows,
        abs=tolerance)


def test_cached_memory_measures_each_cache_in_turn():
    rows = _bench("bench.cached_memory", "--workflows", "30", "--caches", "100", "5")
    assert [row["max_cached_workflows"] for row in rows] == [100, 5]
    # The warm-up's 20 are cached too, where the cache has room.
    assert [row["expected_cached"] for row in rows] == [50, 5]
    assert all(row["kind"] == "bare" and row["worker_rss_before_mb"] > 0 for row in rows)
    assert all(_per_workflow_is_the_rss_difference(row, 30) for row in rows)


def test_cached_memory_with_a_local_activity_before_the_timer():
    [row] = _bench("bench.cached_memory", "--workflows", "10", "--caches", "100",
                   "--local-activity")
    assert row["kind"] == "bare, local activity" and row["expected_cached"] == 30
    assert _per_workflow_is_the_rss_difference(row, 10)


def test_cached_memory_of_orders_waiting_on_a_ca():
    [row] = _bench("bench.cached_memory", "--workflows", "10", "--caches", "100", "--orders")
    assert row["kind"] == "order" and row["expected_cached"] == 30
    assert _per_workflow_is_the_rss_difference(row, 10)
