"""The Temporal runtime of a worker, with its Prometheus endpoint when configured.

The SDK's own metrics (task slots, latencies, polls) and certorder's (``certorder_*``:
recorded through ``workflow.metric_meter()``, ``activity.metric_meter()`` and
``runtime.metric_meter``) are served from the same ``/metrics`` endpoint.
"""

from __future__ import annotations

from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from certorder.settings import Settings, SettingsError


def worker_runtime(settings: Settings) -> Runtime | None:
    """A runtime serving ``http://<metrics_address>/metrics``; None when metrics are off
    (the SDK's default runtime is used then).

    :raises SettingsError: the address cannot be bound (in use, not local).
    """
    if not settings.metrics_address:
        return None
    prometheus = PrometheusConfig(bind_address=settings.metrics_address,
                                  counters_total_suffix=True, durations_as_seconds=True)
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
    except Exception as exc:  # noqa: BLE001 - the core reports a bind failure as anything
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise SettingsError(
            f"metrics_address {settings.metrics_address}: cannot serve metrics: {reason}"
        ) from None
