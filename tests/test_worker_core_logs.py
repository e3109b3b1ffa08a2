"""The SDK core's warnings reach the worker's log (and its JSON lines), never its stdout.

Left to its defaults the core prints them to stdout in coloured text: a JSON log
pipeline gets lines it cannot parse, and a stdout pipe nobody reads blocks the core's
thread until the worker stops polling (it stalled a benchmark that way).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker

from certorder.log_format import JsonLineFormatter
from certorder.metrics.runtime import CORE_LOGGER, worker_runtime
from certorder.settings import Settings


@workflow.defn(sandboxed=False)
class BrokenWorkflow:
    """A workflow whose task fails every time: the core warns "Failing workflow task"."""

    @workflow.run
    async def run(self) -> None:
        raise RuntimeError("this task fails")


async def test_core_warnings_are_records_of_the_core_logger(temporal_env, caplog, capfd):
    address = temporal_env.client.service_client.config.target_host
    runtime = worker_runtime(Settings(temporal_address=address))
    client = await Client.connect(address, runtime=runtime)
    queue = f"tq-core-logs-{uuid.uuid4().hex}"
    caplog.set_level(logging.WARNING, logger=CORE_LOGGER)
    async with Worker(client, task_queue=queue, workflows=[BrokenWorkflow]):
        handle = await client.start_workflow(BrokenWorkflow.run, id=f"broken-{queue}",
                                             task_queue=queue)
        for _ in range(200):  # bounded: 20 s
            if _core_records(caplog):
                break
            await asyncio.sleep(0.1)
        await handle.terminate()
    [record, *_] = _core_records(caplog)
    assert record.levelno == logging.WARNING and "Failing workflow task" in record.getMessage()
    line = json.loads(JsonLineFormatter().format(record))
    assert line["logger"].startswith(CORE_LOGGER) and "temporal_log" not in line
    assert "Failing workflow task" not in capfd.readouterr().out


def _core_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith(CORE_LOGGER)
            and "Failing workflow task" in r.getMessage()]
