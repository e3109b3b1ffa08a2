"""The one boundary where plugin exceptions become order outcomes.

* :class:`~plugins.CAUnavailableError` is not a failure. From an order method it becomes
  a ``CA_UNAVAILABLE_FOR_REQUEST`` result, so the core calls the same method later; from
  plugin selection (a ``ca_id`` lookup) Temporal retries the activity after the delay.
* Any other exception from plugin code fails the activity with a **non-retryable**
  ``ApplicationError`` whose ``type`` is the exception's class name. The workflow turns
  that into the order's ``ERROR`` (the seed: "or else the plugin raises an exception").
* A :class:`~plugins.CertificatePluginError` is a plugin's expected refusal: one
  WARNING line, and the failure is BENIGN, so the SDK logs it at DEBUG instead of a
  traceback. Any other exception is a bug in the plugin: the SDK's traceback stays.
* Everything that is not the plugin's doing (the worker dies, the call times out) is
  left to Temporal, which retries the activity with backoff; the order is unaffected.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from certorder.plugins.interface.dto import ResultDTO
from certorder.plugins.interface.errors import CAUnavailableError, CertificatePluginError
from certorder.plugins.interface.status import CertificateStatus

log = logging.getLogger(__name__)


@contextmanager
def plugin_failures_end_the_order(describe: str) -> Iterator[None]:
    """Turn any exception from plugin code into a non-retryable ``ApplicationError``.

    An unreachable CA (e.g. while resolving a ``ca_id``) is the exception: Temporal
    retries the activity after the delay the plugin asked for.
    """
    try:
        yield
    except CAUnavailableError as exc:
        log.warning("%s%s: CA unavailable, retrying in %d ms: %s", _order(), describe,
                    exc.retry_msec, exc)
        raise ApplicationError(
            str(exc), type=type(exc).__name__,
            next_retry_delay=timedelta(milliseconds=exc.retry_msec),
            category=ApplicationErrorCategory.BENIGN,
        ) from exc
    except Exception as exc:  # noqa: BLE001 - every plugin failure ends the order
        log.warning("%s%s raised %s: %s", _order(), describe, type(exc).__name__, exc)
        expected = isinstance(exc, CertificatePluginError)
        raise ApplicationError(
            str(exc) or type(exc).__name__, type=type(exc).__name__, non_retryable=True,
            category=ApplicationErrorCategory.BENIGN if expected
            else ApplicationErrorCategory.UNSPECIFIED,
        ) from exc


def _order() -> str:
    """``order <id>: `` inside an order's activity (its workflow id is the order id)."""
    return f"order {activity.info().workflow_id}: " if activity.in_activity() else ""


def run_order_method(describe: str, call: Callable[[], ResultDTO]) -> ResultDTO:
    """Run one plugin order method and translate what it raises (see the module docstring)."""
    with plugin_failures_end_the_order(describe):
        try:
            result = call()
        except CAUnavailableError as exc:
            return ResultDTO(
                status=CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST,
                status_message=str(exc),
                retry_msec=exc.retry_msec,
            )
        if not isinstance(result, ResultDTO):
            raise TypeError(f"{describe} returned {type(result).__name__}, not a ResultDTO")
    return result
