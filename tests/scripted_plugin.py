"""A test plugin that answers each call from a per-order script, and records every call."""

from __future__ import annotations

import tempfile
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certorder.plugins import CertificatePluginBase, CoreMetaDTO, PluginContext, ResultDTO

Answer = ResultDTO | Exception | Callable[[dict, dict], ResultDTO]


@dataclass(frozen=True)
class RecordedCall:
    method: str
    order_id: str
    order_meta: dict[str, Any]
    plugin_meta: dict[str, Any]
    core_meta: CoreMetaDTO


class ScriptedPlugin(CertificatePluginBase):
    """Answers from ``script(order_id, ...)`` in order; an unscripted call is a test bug.

    A callable answer gets ``(order_meta, plugin_meta)`` and may edit plugin_meta.
    """

    def __init__(self, name: str = "scripted") -> None:
        super().__init__(PluginContext(name=name, data_dir=Path(tempfile.mkdtemp())))
        self._scripts: dict[str, deque[Answer]] = {}
        self._lock = threading.Lock()
        self.calls: list[RecordedCall] = []

    def script(self, order_id: str, *answers: Answer) -> None:
        with self._lock:
            self._scripts.setdefault(order_id, deque()).extend(answers)

    def calls_for(self, order_id: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.order_id == order_id]

    def _answer(self, method: str, order_id: str, order_meta: dict, plugin_meta: dict,
                core_meta: CoreMetaDTO) -> ResultDTO:
        with self._lock:
            self.calls.append(RecordedCall(method, order_id, dict(order_meta),
                                           dict(plugin_meta), core_meta))
            script = self._scripts.get(order_id)
            if not script:
                raise AssertionError(f"unscripted call {method} for {order_id}")
            answer = script.popleft()
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(order_meta, plugin_meta)
        return answer

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._answer("issue_certificate_request", order_id, order_meta, plugin_meta,
                            core_meta)

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta):
        return self._answer("check_certificate_status", order_id, order_meta, plugin_meta,
                            core_meta)

    def modify_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._answer("modify_certificate_request", order_id, order_meta, plugin_meta,
                            core_meta)

    def cancel_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._answer("cancel_certificate_request", order_id, order_meta, plugin_meta,
                            core_meta)


class QuickScriptedPlugin(ScriptedPlugin):
    """The same, declared ``quick_calls``: the core calls it as local activities."""

    quick_calls = True


class QuickCheckScriptedPlugin(ScriptedPlugin):
    """The same, declared ``quick_checks``: the core makes its checks (only) as local
    activities; issue, modify and cancel stay activities."""

    quick_checks = True
