"""``certorder_ca_call_seconds``: how long each plugin order method took, and what it
answered (docs/operations.md). The histogram's ``_count`` is the number of calls."""

from __future__ import annotations

import time
from collections.abc import Callable

from temporalio import activity

from certorder.plugins.interface.dto import ResultDTO
from certorder.plugins.interface.status import CertificateStatus

CA_CALL_SECONDS = "certorder_ca_call_seconds"
#: The outcome label of a call that raised (the order then ends ERROR).
RAISED = "raised"


def timed_call(plugin: str, method: str, call: Callable[[], ResultDTO]) -> ResultDTO:
    """Run one plugin call, recording its duration with ``plugin``, ``method`` and the
    outcome: the result's status (``CA unavailable for request`` for an unreachable CA)
    or ``raised``."""
    started = time.monotonic()
    outcome = RAISED
    try:
        result = call()
        outcome = (CertificateStatus(result.status).value if isinstance(result, ResultDTO)
                   else RAISED)
        return result
    finally:
        if activity.in_activity():
            _record(plugin, method, outcome, time.monotonic() - started)


def _record(plugin: str, method: str, outcome: str, seconds: float) -> None:
    histogram = activity.metric_meter().create_histogram_float(
        CA_CALL_SECONDS, "Plugin order method calls: duration, by plugin, method and outcome",
        "s")
    histogram.record(seconds, {"plugin": plugin, "method": method, "outcome": outcome})
