"""Printing for people (default) and for programs (``--json``, stable keys)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from certorder.client_orders import OrderSummary
from certorder.plugins.interface.status import CertificateStatus
from certorder.workflows.models import OrderDocument, OrderStatus, Transition


def print_json(data: Any) -> None:
    """One JSON document on stdout, keys sorted so that output diffs stay small."""
    print(json.dumps(data, indent=2, sort_keys=True, default=str))


def document_json(document: OrderDocument) -> dict[str, Any]:
    """The OrderDocument as JSON data (transitions use ``from``/``to``)."""
    return document.model_dump(mode="json", by_alias=True)


def when(moment: datetime | None) -> str:
    """A timestamp in the local time zone, to the second; ``-`` when absent."""
    if moment is None:
        return "-"
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def ago(moment: datetime, now: datetime) -> str:
    """How long ago, to the second: ``3d 2h``, ``5m 12s``."""
    seconds = max(int((now - moment).total_seconds()), 0)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes}m"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def transition_line(step: Transition) -> str:
    """One step of an order's story, e.g. ``12:00:01 issue_certificate_request:
    waiting for CA (PENDING -> PENDING): queued``."""
    moved = f"{step.from_status} -> {step.to_status}"
    message = f": {step.message}" if step.message else ""
    return f"{when(step.at)}  {step.method}: {step.result_status} ({moved}){message}"


def status_line(document: OrderDocument) -> str:
    """``order-1: ACTIVE (certificate generated)``, with the message when there is one."""
    parts = [part for part in (document.sub_status, document.sub_status_message) if part]
    detail = ": ".join(parts)
    return f"{document.order_id}: {document.status}" + (f" ({detail})" if detail else "")


def show_document(document: OrderDocument, ui_url: str | None = None) -> None:
    """The human view of ``certorder order show``."""
    now = datetime.now().astimezone()
    fields = [
        ("Order", document.order_id),
        ("Status", str(document.status)),
        ("Sub-status", document.sub_status or "-"),
        ("Message", document.sub_status_message or "-"),
        ("Subject", document.subject or "-"),
        ("SANs", ", ".join(document.sans) or "-"),
        ("Plugin", document.plugin_name or "-"),
        ("CA", document.ca_id or "(plugin default)"),
    ]
    if document.created_at is not None:
        age = "" if document.status.is_terminal else f" (waiting {ago(document.created_at, now)})"
        fields.append(("Created", when(document.created_at) + age))
    if document.next_method is not None:
        fields.append(("Next call", f"{document.next_method} at {when(document.next_attempt_at)}"))
    if document.cancel_reason:
        fields.append(("Cancel reason", document.cancel_reason))
    if document.certificate is not None:
        cert = document.certificate
        fields += [("Serial", cert.serial), ("Not after", when(cert.not_after)),
                   ("SHA-256", cert.sha256)]
    if document.container_id:
        fields.append(("Container", document.container_id))
    if document.plugin_meta:
        fields.append(("Plugin meta", json.dumps(document.plugin_meta, sort_keys=True,
                                                 default=str)))
    if ui_url:
        fields.append(("In the UI", ui_url))
    for label, value in fields:
        print(f"{label + ':':<15}{value}")
    if document.transitions:
        print("Transitions:")
        for step in document.transitions:
            print(f"  {transition_line(step)}")


def show_summaries(rows: Sequence[OrderSummary]) -> None:
    """The human view of ``certorder order list``."""
    if not rows:
        print("no orders")
        return
    headers = ("ORDER ID", "STATUS", "SUB-STATUS", "PLUGIN", "WORKFLOW", "STARTED", "CLOSED")
    print(
        table(
            headers,
            [
                (
                    row.order_id,
                    str(row.status or "-"),
                    row.sub_status or "-",
                    row.plugin_name or "-",
                    row.workflow_status or "-",
                    when(row.start_time),
                    when(row.close_time),
                )
                for row in rows
            ],
        )
    )


class ProgressPrinter:
    """Prints each new transition (and sub-status change) of a followed order on stderr."""

    def __init__(self) -> None:
        self._seen: set[tuple[str, str, str]] = set()
        self._last: tuple[OrderStatus, str | None] | None = None

    def __call__(self, document: OrderDocument) -> None:
        printed = False
        for step in document.transitions:
            key = (step.at.isoformat(), step.method, step.result_status)
            if key not in self._seen:
                self._seen.add(key)
                print(transition_line(step), file=sys.stderr)
                printed = True
        state = (document.status, document.sub_status)
        if not printed and state != self._last:
            print(f"{when(datetime.now().astimezone())}  {status_line(document)}", file=sys.stderr)
        self._last = state

    @staticmethod
    def stall(message: str) -> None:
        """Say once that nobody is working on the order (the wait goes on)."""
        warn(f"{message}; still waiting")


def warn(message: str) -> None:
    """``certorder: warning: <message>`` on stderr (the command still succeeds)."""
    print(f"certorder: warning: {message}", file=sys.stderr)


def final_exit_code(document: OrderDocument) -> int:
    """0 issued, 3 ended in ERROR, 4 canceled (ACTIVE with sub-status 'request canceled')."""
    if document.status is OrderStatus.ERROR:
        return 3
    if document.sub_status == CertificateStatus.REQUEST_CANCELED.value:
        return 4
    return 0
