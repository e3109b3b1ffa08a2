"""Following an order until it ends (``order submit --wait``, ``order watch``): one line
per new step on stderr, repeated identical polls collapsed, the next check counting down
on a terminal, or one JSON document per change for programs (``--jsonl``)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, TextIO

from certorder.cli import output
from certorder.workflows.order_status import OrderStatus

if TYPE_CHECKING:
    from certorder.client import CertOrderClient
    from certorder.workflows.models import OrderDocument, Transition


class ProgressPrinter:
    """Prints each new transition (and sub-status change) of a followed order.

    A transition equal to the one before (the same method, outcome and message: a CA
    that keeps saying "waiting") is counted, not printed; the count is shown once
    something else happens. On a terminal the time to the next check counts down on
    a status line of its own.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._seen: set[tuple[str, str, str]] = set()
        self._last_state: tuple[OrderStatus, str | None] | None = None
        self._last_step: tuple[str, str, str | None] | None = None
        self._repeats = 0
        self._next_at: datetime | None = None
        self._announced_next: datetime | None = None
        self._countdown_shown = False

    def __call__(self, document: OrderDocument) -> None:
        printed = False
        for step in document.transitions:
            key = (step.at.isoformat(), step.method, step.result_status)
            if key in self._seen:
                continue
            self._seen.add(key)
            printed = True
            self._step(step)
        state = (document.status, document.sub_status)
        if not printed and state != self._last_state:
            self._line(f"{output.when(datetime.now().astimezone())}  "
                       f"{output.status_line(document)}")
        self._last_state = state
        self._next_at = document.next_attempt_at if not document.status.is_terminal else None
        if self._next_at is not None and self._next_at != self._announced_next and not self._tty:
            self._announced_next = self._next_at
            self._line(f"  next: {document.next_method} at {output.when(self._next_at)}")
        if document.status.is_terminal:
            self.flush()

    def _step(self, step: Transition) -> None:
        what = (step.method, step.result_status, step.message)
        if what == self._last_step:
            self._repeats += 1
            return
        self.flush()
        self._last_step = what
        self._line(output.transition_line(step))

    def flush(self) -> None:
        """Say how often the last step repeated, if it did."""
        if self._repeats:
            self._line(f"  (the same {self._repeats} more time{'s' if self._repeats > 1 else ''})")
            self._repeats = 0

    def tick(self, now: datetime) -> None:
        """On a terminal: rewrite the countdown line (called about once a second)."""
        if not self._tty or self._next_at is None:
            return
        left = max(int((self._next_at - now).total_seconds()), 0)
        self._stream.write(f"\r\x1b[2K  next check in {left // 60}m{left % 60:02d}s")
        self._stream.flush()
        self._countdown_shown = True

    def stall(self, message: str) -> None:
        """Say once that nobody is working on the order (the wait goes on)."""
        self._line(f"certorder: warning: {message}; still waiting")

    def _line(self, text: str) -> None:
        if self._countdown_shown:
            self._stream.write("\r\x1b[2K")
            self._countdown_shown = False
        print(text, file=self._stream, flush=True)


async def follow(client: CertOrderClient, order_id: str, mode: str) -> int:
    """Follow the order to its end; ``mode`` is ``text``, ``json`` (the final document)
    or ``jsonl`` (every changed document, one per line, on stdout). Returns the exit code."""
    progress = ProgressPrinter()

    def on_change(document: OrderDocument) -> None:
        if mode == "jsonl":
            print(json.dumps(output.document_json(document), sort_keys=True, default=str),
                  flush=True)
        else:
            progress(document)

    ticker = asyncio.create_task(_tick(progress))
    try:
        document = await client.wait(order_id, on_change=on_change, on_stall=progress.stall)
    except asyncio.CancelledError:  # Ctrl-C: only the following stops, not the order
        print(f"\norder {order_id} goes on; follow it with: certorder order watch {order_id}",
              file=sys.stderr)
        raise
    finally:
        ticker.cancel()
    if mode == "json":
        output.print_json(output.document_json(document))
    elif mode == "text":
        print(output.status_line(document))
        if document.status is OrderStatus.ACTIVE and document.container_id:
            print(f"get it with: certorder cert get {document.order_id}", file=sys.stderr)
    return output.final_exit_code(document)


async def _tick(progress: ProgressPrinter) -> None:
    while True:
        progress.tick(datetime.now().astimezone())
        await asyncio.sleep(1)
