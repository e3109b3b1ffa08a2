"""Every ``certorder_*`` metric the code records is listed in docs/operations.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
_NAME = re.compile(r'"(certorder_[a-z_]+)"')
#: Prometheus adds ``_total`` to counters; the table names them as scraped.
_COUNTERS = ("certorder_orders_started", "certorder_orders_finished")


def _recorded() -> set[str]:
    names = set()
    for package in ("workflows", "activities", "certorder/metrics"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(_NAME.findall(path.read_text()))
    return {f"{name}_total" if name in _COUNTERS else name for name in names}


def test_every_metric_is_documented():
    table = (ROOT / "docs" / "operations.md").read_text()
    recorded = _recorded()
    assert len(recorded) >= 8
    assert not {name for name in recorded if f"`{name}`" not in table}
