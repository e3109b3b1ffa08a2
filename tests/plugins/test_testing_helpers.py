"""certorder.plugins.testing: run_order follows the core's rules, and the contract mixin catches
broken plugins (a conformance suite that cannot fail would prove nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fake_plugins import self_signed_pem
from x509_helpers import make_csr, make_key

from certorder.plugins import (
    CAUnavailableError,
    CertificatePluginBase,
    CertificateStatus,
    PluginContext,
    PluginMethod,
    ResultDTO,
)
from certorder.plugins.testing import CertificatePluginContract, run_order

Status = CertificateStatus


class ScriptPlugin(CertificatePluginBase):
    """Answers each call with the next item of ``script`` (a ResultDTO or an exception)."""

    def __init__(self, tmp_path: Path, script: list) -> None:
        super().__init__(PluginContext(name="script", data_dir=tmp_path))
        self.script = list(script)
        self.called: list[str] = []

    def _next(self, method: str, plugin_meta: dict) -> ResultDTO:
        self.called.append(method)
        plugin_meta["calls"] = len(self.called)
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._next("issue", plugin_meta)

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta):
        return self._next("check", plugin_meta)

    def modify_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._next("modify", plugin_meta)

    def cancel_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._next("cancel", plugin_meta)


def test_run_order_follows_the_core_rules(tmp_path: Path) -> None:
    plugin = ScriptPlugin(
        tmp_path,
        [
            ResultDTO(status=Status.CA_UNAVAILABLE_FOR_REQUEST),  # -> issue again
            CAUnavailableError("down"),  # raised: -> issue again
            ResultDTO(status=Status.WAITING_FOR_CA),  # -> check
            ResultDTO(status=Status.CLIENT_DATA_ISSUE_SEEN, retry_method=PluginMethod.ISSUE),
            ResultDTO(status=Status.CA_UNAVAILABLE_FOR_REQUEST),  # -> issue again
            ResultDTO(status=Status.WAITING_FOR_CA),  # -> check
            ResultDTO(status=Status.REQUEST_CANCELED),  # final
            ResultDTO(status=Status.WAITING_FOR_CA),  # never reached
        ],
    )

    run = run_order(plugin, {})

    assert plugin.called == ["issue", "issue", "issue", "check", "issue", "issue", "check"]
    assert run.last.status is Status.REQUEST_CANCELED
    assert isinstance(run.calls[1][1], CAUnavailableError)
    assert run.plugin_meta == {"calls": 7}


def test_run_order_stops_after_max_calls(tmp_path: Path) -> None:
    plugin = ScriptPlugin(tmp_path, [ResultDTO(status=Status.WAITING_FOR_CA)] * 10)

    run = run_order(plugin, {}, max_calls=3)

    assert len(run.calls) == 3
    assert run.last.status is Status.WAITING_FOR_CA


class _Contract(CertificatePluginContract):
    """The mixin, run by hand against plugins that must fail it."""


def test_contract_fails_a_plugin_that_never_issues(tmp_path: Path) -> None:
    plugin = ScriptPlugin(tmp_path, [ResultDTO(status=Status.WAITING_FOR_CA)] * 10)
    order = {"request_type": "simple-cmc", "request_data": make_csr(make_key())}

    with pytest.raises(AssertionError):
        _Contract().test_contract_order_completes(plugin, order)


def test_contract_fails_a_certificate_for_another_key(tmp_path: Path) -> None:
    plugin = ScriptPlugin(
        tmp_path, [ResultDTO(status=Status.CERTIFICATE_GENERATED, certificate=self_signed_pem())]
    )
    order = {"request_type": "simple-cmc", "request_data": make_csr(make_key())}

    with pytest.raises(AssertionError):
        _Contract().test_contract_order_completes(plugin, order)


def test_contract_fails_full_cmc_and_duplicate_ca_ids(tmp_path: Path) -> None:
    class Lax(ScriptPlugin):
        def supported_request_types(self):
            return list(super().supported_request_types()) + ["full-cmc"]

        def get_ca_info(self):
            return super().get_ca_info() * 2

    plugin = Lax(tmp_path, [])

    with pytest.raises(AssertionError):
        _Contract().test_contract_request_types(plugin)
    with pytest.raises(AssertionError, match="duplicate CA ids"):
        _Contract().test_contract_ca_info(plugin)
