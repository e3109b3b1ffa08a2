"""Printing for people (default) and for programs (``--json``, stable keys)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from certorder.workflows.order_status import OrderStatus

if TYPE_CHECKING:
    from certorder.client_orders import OrderSummary
    from certorder.workflows.models import OrderDocument, Transition


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


_STATUS_COLOURS = {"ACTIVE": "32", "ERROR": "31", "PENDING": "33"}


def colours_on(stream: TextIO | None = None) -> bool:
    """Colour only for a terminal, and never with ``NO_COLOR`` set or ``TERM=dumb``."""
    stream = stream or sys.stdout
    return (stream.isatty() and "NO_COLOR" not in os.environ
            and os.environ.get("TERM") != "dumb")


def status_word(status: str) -> str:
    """An order status, coloured on a terminal (green ACTIVE, red ERROR, yellow PENDING)."""
    code = _STATUS_COLOURS.get(status)
    return f"\x1b[{code}m{status}\x1b[0m" if code and colours_on() else status


def table(headers: Sequence[str], rows: Sequence[Sequence[str]],
          width: int | None = None) -> str:
    """Left-aligned columns separated by two spaces. On a terminal (or with ``width``)
    the widest column is cut with an ellipsis so that rows fit the terminal's width."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]
    if width is None and sys.stdout.isatty():
        width = shutil.get_terminal_size().columns
    if width is not None:
        widest = max(range(len(widths)), key=widths.__getitem__)
        excess = sum(widths) + 2 * (len(widths) - 1) - width
        if excess > 0:
            widths[widest] = max(widths[widest] - excess, len(headers[widest]), 8)
    lines = [headers, *rows]
    return "\n".join(
        "  ".join(_fit(cell, w).ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _fit(cell: str, width: int) -> str:
    return cell if len(cell) <= width else cell[: width - 1] + "…"


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


def show_document(document: OrderDocument, ui_url: str | None = None,
                  extra: Sequence[tuple[str, str]] = ()) -> None:
    """The human view of ``certorder order show``; ``extra`` fields (what the store knows,
    e.g. a revocation) come before the UI link."""
    now = datetime.now().astimezone()
    fields = [
        ("Order", document.order_id),
        ("Status", status_word(str(document.status))),
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
    fields += extra
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


def warn(message: str) -> None:
    """``certorder: warning: <message>`` on stderr (the command still succeeds)."""
    print(f"certorder: warning: {message}", file=sys.stderr)


def final_exit_code(document: OrderDocument) -> int:
    """0 issued, 3 ended in ERROR, 4 canceled (ACTIVE with sub-status 'request canceled')."""
    from certorder.plugins.interface.status import CertificateStatus

    if document.status is OrderStatus.ERROR:
        return 3
    if document.sub_status == CertificateStatus.REQUEST_CANCELED.value:
        return 4
    return 0
