"""The one polling loop behind ``order wait`` and ``cert revoke --wait``: changes are
reported once each, a missing worker once per stall, and the timeout is the caller's."""

from __future__ import annotations

import asyncio

import pytest

from certorder.client_errors import WorkerUnavailableError
from certorder.client_polling import follow_until_done


def scripted_reads(answers: list[object]):
    """A ``read`` that answers in turn: a string is the document, an exception is raised."""
    pending = list(answers)

    async def read() -> str:
        answer = pending.pop(0) if len(pending) > 1 else pending[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return read


def test_each_change_and_each_stall_is_reported_once() -> None:
    read = scripted_reads(["pending", "pending", WorkerUnavailableError("no worker"),
                           WorkerUnavailableError("no worker"), "pending", "waiting", "done"])
    changes: list[str] = []
    stalls: list[str] = []

    final = asyncio.run(follow_until_done(
        read, lambda document: document == "done", poll_seconds=0,
        on_change=changes.append, on_stall=stalls.append))

    assert final == "done"
    assert changes == ["pending", "waiting", "done"]
    assert stalls == ["no worker"]


def test_a_second_stall_after_an_answer_is_reported_again() -> None:
    read = scripted_reads([WorkerUnavailableError("gone"), "pending",
                           WorkerUnavailableError("gone again"), "done"])
    stalls: list[str] = []

    asyncio.run(follow_until_done(read, lambda document: document == "done",
                                  poll_seconds=0, on_stall=stalls.append))

    assert stalls == ["gone", "gone again"]


def test_the_timeout_raises_the_callers_error_with_the_last_document() -> None:
    read = scripted_reads(["pending"])
    seen: list[object] = []

    def timed_out(last: object) -> Exception:
        seen.append(last)
        return RuntimeError(f"still {last}")

    with pytest.raises(RuntimeError, match="still pending"):
        asyncio.run(follow_until_done(read, lambda document: False, poll_seconds=0.01,
                                      timeout=0.05, timed_out=timed_out))
    assert seen == ["pending"]
