"""A dev server restarted while the previous one still holds ``temporal.db`` waits for
it to go (one line saying so) instead of failing with SQLITE_BUSY, and says in one line
when it will not go."""

from __future__ import annotations

import threading

import pytest
from cli_helpers import closed_port
from test_cli_dev_stack import _start_dev, _wait_for_worker

from certorder.dev_stack import DevServer, DevServerError


def _orphan(tmp_path) -> tuple[DevServer, object]:
    """A running server whose owner is gone, as after `kill -9` of `certorder dev`: the
    server is still shutting down (or not yet told to)."""
    first = DevServer(tmp_path / "data", port=closed_port(), ui_port=closed_port())
    first.start()
    first.wait_ready()
    process, first._process = first._process, None
    return first, process


def test_a_restart_waits_for_the_previous_server(tmp_path):
    first, process = _orphan(tmp_path)
    said: list[str] = []
    # What the kernel's parent-death signal does to the orphan, a moment later.
    threading.Timer(1.0, process.terminate).start()  # in-process: starts within 1 s
    second = DevServer(first.data_dir, port=first.port, ui_port=first.ui_port)
    try:
        second.start(on_wait=said.append)
        second.wait_ready()
    finally:
        second.stop()
        process.kill()
        process.wait()
    assert len(said) == 1 and f"pid {process.pid}" in said[0] and "\n" not in said[0]


def test_a_previous_server_that_will_not_go_is_one_line(tmp_path):
    first, process = _orphan(tmp_path)
    second = DevServer(first.data_dir, port=first.port, ui_port=first.ui_port)
    try:
        with pytest.raises(DevServerError) as raised:
            second.start(on_wait=lambda _: None, wait_seconds=1.0)
    finally:
        process.kill()
        process.wait()
    message = str(raised.value)
    assert f"pid {process.pid}" in message and "temporal.db" in message
    assert "\n" not in message and not second.running


def test_certorder_dev_restarted_right_after_sigkill(tmp_path):
    process, port = _start_dev(tmp_path)
    _wait_for_worker(process)
    process.kill()
    process.wait(timeout=30)
    again = DevServer(tmp_path / "data", port=port, ui_port=closed_port())
    try:
        again.start(on_wait=lambda _: None)
        again.wait_ready()
    finally:
        again.stop()


def test_certorder_dev_says_it_waits_in_one_line(tmp_path):
    first, process = _orphan(tmp_path)
    try:
        dev, _ = _start_dev(tmp_path, port=first.port)
        said = dev.stderr.readline()  # it waits with that line, whatever else it says
        process.terminate()  # now the orphan goes, as its parent-death signal makes it
        lines = _wait_for_worker(dev)
        dev.terminate()
        dev.communicate(timeout=60)
    finally:
        process.kill()
        process.wait()
    assert said == f"waiting for the previous Temporal dev server (pid {process.pid}) to exit\n"
    assert not [line for line in lines if "SQLITE_BUSY" in line or "Traceback" in line]
