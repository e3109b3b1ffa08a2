"""The Temporal runtime of a worker: the SDK core's log lines in the worker's log, and
its Prometheus endpoint when configured.

The SDK's own metrics (task slots, latencies, polls) and certorder's (``certorder_*``:
recorded through ``workflow.metric_meter()``, ``activity.metric_meter()`` and
``runtime.metric_meter``) are served from the same ``/metrics`` endpoint.
"""

from __future__ import annotations

import functools
import logging

from temporalio.runtime import (
    LogForwardingConfig,
    LoggingConfig,
    PrometheusConfig,
    Runtime,
    TelemetryConfig,
    TelemetryFilter,
)

from certorder.settings import Settings, SettingsError

#: Where the core's records go: ``temporalio.core-sdk_core::<its module>``.
CORE_LOGGER = "temporalio.core"


def core_logging() -> LoggingConfig:
    """The core's warnings (a workflow task over 5 s, a failed completion) as records of
    :data:`CORE_LOGGER`, in the worker's own log format. Left to itself the core writes
    them to stdout in coloured text, beside JSON lines, and a stdout pipe that nobody
    reads blocks its thread: the worker then stops polling."""
    return LoggingConfig(filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
                         forwarding=LogForwardingConfig(logger=logging.getLogger(CORE_LOGGER)))


@functools.cache
def _runtime_without_metrics() -> Runtime:
    # One per process: a runtime is a thread pool of the core's, and `certorder dev`
    # or a test may start many workers in one process.
    return Runtime(telemetry=TelemetryConfig(logging=core_logging()))


def worker_runtime(settings: Settings) -> Runtime:
    """A runtime forwarding the core's logs, and serving
    ``http://<metrics_address>/metrics`` when that is set.

    :raises SettingsError: the address cannot be bound (in use, not local).
    """
    if not settings.metrics_address:
        return _runtime_without_metrics()
    prometheus = PrometheusConfig(bind_address=settings.metrics_address,
                                  counters_total_suffix=True, durations_as_seconds=True)
    try:
        return Runtime(telemetry=TelemetryConfig(logging=core_logging(), metrics=prometheus))
    except Exception as exc:  # noqa: BLE001 - the core reports a bind failure as anything
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SettingsError(
            f"metrics_address {settings.metrics_address}: cannot serve metrics: {reason}"
        ) from None
