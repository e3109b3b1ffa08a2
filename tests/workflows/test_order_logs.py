"""What a worker logs about orders: one INFO line per transition, with the order's id,
plugin and status as fields; a plugin's expected refusal is one line, a plugin's bug
keeps its traceback; JSON lines carry the same fields."""

from __future__ import annotations

import json
import logging
import uuid

from order_fixtures import issued_for, new_request
from order_harness import order_worker
from scripted_plugin import ScriptedPlugin

from certorder.log_format import JsonLineFormatter
from certorder.plugins.interface.errors import CAOperationError
from certorder.workflows.models import OrderStatus


def _transitions(caplog, order_id: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if getattr(r, "order_id", None) == order_id]


def _mentions(record: logging.LogRecord, text: str) -> bool:
    """The record says ``text``, in its message or in the exception it carries."""
    return text in record.getMessage() or bool(
        record.exc_info and text in str(record.exc_info[1]))


async def test_each_transition_is_one_info_line_and_a_refusal_has_no_traceback(
        temporal_env, tmp_path, caplog):
    caplog.set_level(logging.INFO)
    tag = uuid.uuid4().hex[:8]
    ids = {kind: f"logs-{kind}-{tag}" for kind in ("issued", "refused", "broken")}
    plugin = ScriptedPlugin()
    issued, refused, broken = new_request("a.example.test"), new_request(), new_request()
    plugin.script(ids["issued"], issued_for(issued.csr))
    plugin.script(ids["refused"], CAOperationError("the CA refuses example.test"))
    plugin.script(ids["broken"], KeyError("plugin bug"))
    async with order_worker(temporal_env, {"scripted": plugin}, tmp_path) as orders:
        handles = [await orders.start({**request.order_meta, "plugin_name": "scripted"},
                                      order_id=order_id)
                   for order_id, request in ((ids["issued"], issued), (ids["refused"], refused),
                                             (ids["broken"], broken))]
        docs = [await orders.result(handle) for handle in handles]
    assert [d.status for d in docs] == [OrderStatus.ACTIVE, OrderStatus.ERROR, OrderStatus.ERROR]

    [line] = _transitions(caplog, ids["issued"])
    assert line.levelno == logging.INFO
    assert (line.plugin, line.status, line.from_status) == ("scripted", "ACTIVE", "PENDING")
    assert f"{ids['issued']} PENDING -> ACTIVE" in line.getMessage()

    refusal = [r for r in caplog.records if r.levelno >= logging.WARNING
               and _mentions(r, "the CA refuses example.test")]
    assert len(refusal) == 1 and refusal[0].exc_info is None, [r.getMessage() for r in refusal]
    [ended] = _transitions(caplog, ids["refused"])
    assert ended.status == "ERROR"

    bug = [r for r in caplog.records if r.levelno >= logging.WARNING and r.exc_info
           and _mentions(r, "plugin bug")]
    assert bug, "a plugin's bug must keep its traceback"


def test_json_lines_carry_the_extra_fields():
    record = logging.LogRecord("temporalio.workflow", logging.INFO, __file__, 1,
                               "order %s ended", ("o-1",), None)
    record.order_id, record.plugin, record.status = "o-1", "local-ca", "ACTIVE"
    line = json.loads(JsonLineFormatter().format(record))
    assert line["message"] == "order o-1 ended" and line["level"] == "INFO"
    assert (line["order_id"], line["plugin"], line["status"]) == ("o-1", "local-ca", "ACTIVE")
    assert "\n" not in JsonLineFormatter().format(record)
