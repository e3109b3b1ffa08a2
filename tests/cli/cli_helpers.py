"""Helpers shared by the CLI tests."""

from __future__ import annotations

import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Run:
    """The outcome of one ``certorder`` invocation."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def closed_port() -> int:
    """A loopback port nobody listens on (bound then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_one_line_error(result: Run, code: int, *fragments: str) -> None:
    """The CLI failed as promised: exit ``code``, one stderr line, no traceback."""
    assert result.code == code, result
    assert "Traceback" not in result.err, result.err
    assert len(result.err_lines) == 1, result.err
    line = result.err_lines[0]
    assert line.startswith("certorder: error: "), line
    for fragment in fragments:
        assert fragment in line, line
