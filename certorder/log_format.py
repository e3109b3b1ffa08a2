"""How the worker logs: a level, and plain text or one JSON object per line.

JSON lines carry the record's extra fields (``order_id``, ``plugin``, ``status``, ...)
as top-level keys, so a log pipeline can filter on them without parsing messages.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from temporalio import activity, workflow

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: What every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
#: On the SDK core's forwarded records, its own entry object: its fields end the message.
_CORE_ENTRY = "temporal_log"


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, the extras, and the
    traceback (as one string) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if (key not in _STANDARD and key != _CORE_ENTRY and not key.startswith("_")
                    and key not in line):
                line[key] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Set up the root logger for a worker process (replacing earlier handlers)."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLineFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # In JSON the SDK's workflow and activity details are fields already (extras
    # ``temporal_workflow``, ``temporal_activity``); in text they end the message.
    workflow.logger.workflow_info_on_message = fmt != "json"
    activity.logger.activity_info_on_message = fmt != "json"
    # Migrations say what they do, and httpx every CA request, at INFO: at INFO a
    # worker's log is one line per order transition; DEBUG shows them again.
    for chatty in ("alembic", "httpx", "httpcore"):
        logging.getLogger(chatty).setLevel(max(logging.WARNING, root.level)
                                           if root.level > logging.DEBUG else logging.DEBUG)
