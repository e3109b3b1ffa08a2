"""A benchmark's worker keeps running however much it writes to stdout after "ready".

The SDK core logs its warnings (slow workflow tasks, failed completions) to stdout; a
pipe nobody reads fills at 64 KiB, and the core's thread then blocks on the write and
the worker stops polling: a benchmark that overloads the stack would stall for good.
"""

from __future__ import annotations

import sys

from bench.harness import start_until_ready

# A child that says "ready", then writes 400 KB: far past a pipe's buffer.
CHATTY = "print('ready', flush=True)\nfor _ in range(400):\n    print('w' * 1000, flush=True)\n"


async def test_a_worker_that_writes_past_a_pipe_buffer_is_not_blocked():
    process = await start_until_ready([sys.executable, "-c", CHATTY])
    try:
        assert process.wait(timeout=30) == 0  # blocks, and times out, if nobody reads
    finally:
        process.kill()
