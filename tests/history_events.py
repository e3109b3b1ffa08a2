"""Reading an order's Temporal history in tests: poll cycles, markers, activity types."""

from __future__ import annotations

import json

from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import WorkflowHistory

TIMER_STARTED = EventType.EVENT_TYPE_TIMER_STARTED
MARKER = EventType.EVENT_TYPE_MARKER_RECORDED
ACTIVITY_SCHEDULED = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED


def kinds(events: list[HistoryEvent]) -> list[str]:
    return [EventType.Name(event.event_type) for event in events]


def poll_cycles(history: WorkflowHistory) -> list[list[HistoryEvent]]:
    """The events from each timer's start up to the next timer's (the last cycle runs to
    the end of the history): one wait, and the call and bookkeeping that follow it."""
    starts = [i for i, event in enumerate(history.events) if event.event_type == TIMER_STARTED]
    ends = [*starts[1:], len(history.events)]
    return [list(history.events[start:end]) for start, end in zip(starts, ends, strict=True)]


def patch_ids(events: list[HistoryEvent]) -> list[str]:
    """The ``workflow.patched`` ids whose markers are among ``events``."""
    return [json.loads(_detail(event, "patch-data"))["id"] for event in events
            if event.event_type == MARKER
            and event.marker_recorded_event_attributes.marker_name == "core_patch"]


def local_activities(events: list[HistoryEvent]) -> list[str]:
    """The activity types of the local activities recorded among ``events``."""
    return [json.loads(_detail(event, "data"))["activity_type"] for event in events
            if event.event_type == MARKER
            and event.marker_recorded_event_attributes.marker_name == "core_local_activity"]


def activities(events: list[HistoryEvent]) -> list[str]:
    """The activity types of the (normal) activities scheduled among ``events``."""
    return [event.activity_task_scheduled_event_attributes.activity_type.name
            for event in events if event.event_type == ACTIVITY_SCHEDULED]


def _detail(event: HistoryEvent, key: str) -> bytes:
    return event.marker_recorded_event_attributes.details[key].payloads[0].data
