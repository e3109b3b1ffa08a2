"""The benchmarks still run (at a tiny size: the figures themselves are bench/'s, in
docs/performance.md, never a timed test)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _bench(*argv: str) -> object:
    done = subprocess.run([sys.executable, "-m", *argv, "--json"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout[done.stdout.index("["):] if argv[0] == "bench.throughput"
                      else done.stdout[done.stdout.index("{"):])


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
