"""Heartbeats for plugin calls: a dead worker is noticed in seconds, and progress survives it.

A plugin call blocks its thread (HTTP, signing), so it cannot heartbeat by itself. A
helper thread beside it heartbeats every :data:`HEARTBEAT_INTERVAL` with the newest
``plugin_meta`` the plugin reported (:meth:`~plugins.CoreMetaDTO.report_progress`). If
the worker dies, Temporal misses the heartbeats, times the attempt out after the
activity's ``heartbeat_timeout`` (not its whole ``start_to_close_timeout``), and the
retried attempt finds that ``plugin_meta`` in ``activity.info().heartbeat_details``.
"""

from __future__ import annotations

import contextvars
import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from temporalio import activity

#: Seconds between heartbeats. The workflow's heartbeat_timeout is a few times this, so
#: a busy worker (GIL, 2 cores) is not mistaken for a dead one.
HEARTBEAT_INTERVAL = 1.0


def resumed_plugin_meta(given: dict[str, Any]) -> dict[str, Any]:
    """The ``plugin_meta`` a call starts from: the last one an interrupted attempt of
    the same call reported, else the one the workflow passed."""
    details = activity.info().heartbeat_details
    if details and isinstance(details[-1], dict):
        return copy.deepcopy(details[-1])
    return copy.deepcopy(given)


def interrupted_since() -> datetime | None:
    """When this call was first scheduled, if an earlier attempt of it did not return."""
    info = activity.info()
    return info.scheduled_time if info.attempt > 1 else None


class _Beat:
    def __init__(self, plugin_meta: dict[str, Any]) -> None:
        self.latest = copy.deepcopy(plugin_meta)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        # A local activity (a plugin with quick_calls) cannot heartbeat: its progress
        # is kept for nobody, as the plugin contract says.
        self.local = activity.info().is_local

    def progress(self, plugin_meta: dict[str, Any]) -> None:
        snapshot = copy.deepcopy(plugin_meta)
        with self.lock:
            self.latest = snapshot
        if not self.local:
            # From the call's own thread, so the newest progress goes out at once.
            activity.heartbeat(snapshot)

    def run(self, context: contextvars.Context) -> None:
        while not self.stop.wait(HEARTBEAT_INTERVAL):
            with self.lock:
                latest = self.latest
            # activity.heartbeat finds its activity through a context variable: run it
            # in a copy of the call's context (a context cannot be entered twice at once).
            context.run(activity.heartbeat, latest)


@contextmanager
def heartbeating(plugin_meta: dict[str, Any]) -> Iterator[_Beat]:
    """Heartbeat from a helper thread while the block runs; ``.progress(meta)`` records
    newer ``plugin_meta``."""
    beat = _Beat(plugin_meta)
    if beat.local:
        yield beat
        return
    helper = threading.Thread(
        target=beat.run, args=(contextvars.copy_context(),), name="plugin-call-heartbeat",
        daemon=True,
    )
    helper.start()
    try:
        yield beat
    finally:
        beat.stop.set()
        helper.join()
