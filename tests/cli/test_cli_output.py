"""Human output and exit codes for finished orders; progress lines while following one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certorder.cli.output import ProgressPrinter, final_exit_code, status_line, table
from certorder.workflows.models import OrderDocument, OrderStatus, Transition

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _step(seconds: int, result: str, to: OrderStatus, message: str | None = None) -> Transition:
    return Transition(
        at=T0 + timedelta(seconds=seconds), method="issue_certificate_request",
        result_status=result, message=message, from_status=OrderStatus.PENDING, to_status=to,
    )  # fmt: skip


def test_exit_codes_tell_issued_failed_and_canceled_apart():
    issued = OrderDocument(order_id="o", status=OrderStatus.ACTIVE,
                           sub_status="certificate generated", container_id="c")
    failed = OrderDocument(order_id="o", status=OrderStatus.ERROR, sub_status="invalid operation")
    canceled = OrderDocument(order_id="o", status=OrderStatus.ACTIVE, sub_status="request canceled")
    assert [final_exit_code(d) for d in (issued, failed, canceled)] == [0, 3, 4]


def test_status_line_joins_sub_status_and_message():
    doc = OrderDocument(order_id="o-1", status=OrderStatus.PENDING,
                        sub_status="waiting for CA", sub_status_message="queued at the CA")
    assert status_line(doc) == "o-1: PENDING (waiting for CA: queued at the CA)"
    assert status_line(OrderDocument(order_id="o-2")) == "o-2: PENDING"


def test_progress_prints_each_transition_once_and_bare_sub_status_changes(capsys):
    progress = ProgressPrinter()
    first = OrderDocument(order_id="o", transitions=[])
    progress(first)
    waiting = first.model_copy(update={
        "sub_status": "waiting for CA",
        "transitions": [_step(0, "waiting for CA", OrderStatus.PENDING, "queued")],
    })  # fmt: skip
    progress(waiting)
    progress(waiting)  # the same document again prints nothing
    done = waiting.model_copy(update={
        "status": OrderStatus.ACTIVE,
        "transitions": [
            *waiting.transitions, _step(5, "certificate generated", OrderStatus.ACTIVE)
        ],
    })  # fmt: skip
    progress(done)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].endswith("o: PENDING")
    assert lines[1].endswith(
        "issue_certificate_request: waiting for CA (PENDING -> PENDING): queued"
    )
    assert lines[2].endswith("certificate generated (PENDING -> ACTIVE)")


def test_table_aligns_columns():
    assert table(("A", "BB"), [("xxx", "y")]).splitlines() == ["A    BB", "xxx  y"]
