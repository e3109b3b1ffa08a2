"""Human output and exit codes for finished orders; progress lines while following one."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from certorder.cli.follow import ProgressPrinter
from certorder.cli.output import final_exit_code, status_line, table
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


def _complete(script: str, *words: str) -> list[str]:
    """What bash completes after ``certorder <words>`` (the last word being typed)."""
    import subprocess

    array = " ".join(f"'{w}'" for w in ("certorder", *words))
    probe = f'{script}\nCOMP_WORDS=({array}); COMP_CWORD={len(words)}; _certorder\n' \
            'printf "%s\\n" "${COMPREPLY[@]}"'
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_bash_completion_knows_every_command_and_option(run_cli, cli_env):
    result = run_cli("completion", "bash")
    assert result.code == 0, result
    assert _complete(result.out, "or") == ["order"]
    assert set(_complete(result.out, "order", "")) >= {"submit", "approve", "deny", "watch"}
    assert _complete(result.out, "order", "submit", "--require-a") == ["--require-approval"]
    assert "--reason" in _complete(result.out, "order", "cancel", "--")


def test_version(run_cli):
    result = run_cli("--version")
    assert result.code == 0 and result.out.startswith("certorder ")


def _poll(seconds: int) -> Transition:
    return Transition(at=T0 + timedelta(seconds=seconds), method="check_certificate_status",
                      result_status="waiting for CA", message="queued",
                      from_status=OrderStatus.PENDING, to_status=OrderStatus.PENDING)


def test_repeated_identical_polls_collapse_into_a_count(capsys):
    progress = ProgressPrinter()
    steps = [_poll(s) for s in range(0, 50, 10)]
    for n in range(1, len(steps) + 1):
        progress(OrderDocument(order_id="o", sub_status="waiting for CA",
                               transitions=steps[:n]))
    done = OrderDocument(order_id="o", status=OrderStatus.ACTIVE, transitions=[
        *steps, _step(60, "certificate generated", OrderStatus.ACTIVE)])
    progress(done)
    lines = capsys.readouterr().err.splitlines()
    assert [line for line in lines if "check_certificate_status" in line] == [lines[0]]
    assert "  (the same 4 more times)" in lines
    assert lines[-1].endswith("certificate generated (PENDING -> ACTIVE)")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_next_check_counts_down_in_place():
    terminal = _Terminal()
    progress = ProgressPrinter(terminal)
    progress(OrderDocument(order_id="o", sub_status="waiting for CA", transitions=[_poll(0)],
                           next_method="check_certificate_status",
                           next_attempt_at=T0 + timedelta(minutes=5)))
    progress.tick(T0 + timedelta(seconds=48))
    progress.tick(T0 + timedelta(seconds=49))
    text = terminal.getvalue()
    assert "\r\x1b[2K  next check in 4m12s" in text and text.endswith("next check in 4m11s")


def test_off_a_terminal_the_next_check_is_said_once_per_change(capsys):
    progress = ProgressPrinter()
    doc = OrderDocument(order_id="o", sub_status="waiting for CA", transitions=[_poll(0)],
                        next_method="check_certificate_status",
                        next_attempt_at=T0 + timedelta(minutes=5))
    progress(doc)
    progress(doc.model_copy(update={"sub_status_message": "still queued"}))
    progress.tick(T0)  # no countdown off a terminal
    err = capsys.readouterr().err
    assert err.count("next: check_certificate_status at") == 1 and "next check in" not in err


def test_a_table_fits_the_width_by_cutting_its_widest_column():
    rows = [("o-1", "waiting for a worker with the plugin: worker 12@host has none")]
    lines = table(("ORDER ID", "SUB-STATUS"), rows, width=40).splitlines()
    assert all(len(line) <= 40 for line in lines) and lines[1].endswith("…")


def test_colours_only_on_a_terminal_and_never_with_no_color(monkeypatch):
    from certorder.cli import output

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert output.colours_on(_Terminal()) and not output.colours_on(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not output.colours_on(_Terminal())
