"""Cancel and modify against the simulator, and what never leaks: credentials."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from x509_helpers import make_csr, make_key

from certorder.plugins.dogtag.plugin import DogtagCAPlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.errors import PluginConfigurationError
from certorder.plugins.interface.status import CertificateStatus as S

CORE = CoreMetaDTO()
#: What the core passes to a call retried after its worker died.
RETRIED = CoreMetaDTO(interrupted_since=datetime.now(UTC))


def _order(**extra) -> dict:
    return {"request_type": "simple-cmc", "request_data": make_csr(make_key()), **extra}


def test_cancel_while_pending_cancels_at_dogtag(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    plugin_meta: dict = {}
    plugin.issue_certificate_request("c-1", _order(), plugin_meta, CORE)
    result = plugin.cancel_certificate_request("c-1", {}, plugin_meta, CORE)
    assert result.status is S.REQUEST_CANCELED
    assert dogtag_sim.request_status(plugin_meta["request_id"]) == "canceled"
    # Cancelling again (a retry after a crash) still reports the cancellation.
    again = plugin.cancel_certificate_request("c-1", {}, plugin_meta, CORE)
    assert again.status is S.REQUEST_CANCELED


def test_cancel_of_an_issued_request_is_refused(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    plugin_meta: dict = {}
    plugin.issue_certificate_request("c-2", _order(), plugin_meta, CORE)
    result = plugin.cancel_certificate_request("c-2", {}, plugin_meta, CORE)
    assert result.status is S.INVALID_OPERATION
    assert "complete" in result.status_message
    assert dogtag_sim.request_status(plugin_meta["request_id"]) == "complete"


def test_cancel_of_a_request_dogtag_does_not_know(make_dogtag, dogtag_sim):
    result = make_dogtag().cancel_certificate_request("c-3", {}, {"request_id": "0x99"}, CORE)
    assert result.status is S.INVALID_OPERATION
    assert result.status_message == "no request 0x99 at Dogtag"


def test_cancel_before_anything_was_placed(make_dogtag, dogtag_sim):
    result = make_dogtag().cancel_certificate_request("c-4", {}, {}, CORE)
    assert result.status is S.REQUEST_CANCELED
    assert dogtag_sim.enrollment_count == 0


def test_cancel_finds_a_request_placed_before_a_crash(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    lost: dict = {}
    plugin.issue_certificate_request("c-5", _order(), lost, CORE)
    plugin_meta: dict = {}
    result = plugin.cancel_certificate_request("c-5", {}, plugin_meta, RETRIED)
    assert result.status is S.REQUEST_CANCELED
    assert plugin_meta["request_id"] == lost["request_id"]
    assert dogtag_sim.request_status(lost["request_id"]) == "canceled"


def test_cancel_during_an_outage_asks_to_be_called_again(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    plugin_meta: dict = {}
    plugin.issue_certificate_request("c-6", _order(), plugin_meta, CORE)
    dogtag_sim.fail_next(1, status=502)
    result = plugin.cancel_certificate_request("c-6", {}, plugin_meta, CORE)
    assert result.status is S.CA_UNAVAILABLE_FOR_REQUEST
    assert dogtag_sim.request_status(plugin_meta["request_id"]) == "pending"


def test_modify_cancels_and_enrolls_again_with_the_merged_order(make_dogtag, dogtag_sim):
    plugin = make_dogtag()
    plugin_meta: dict = {}
    plugin.issue_certificate_request("m-1", _order(), plugin_meta, CORE)
    first = plugin_meta["request_id"]
    merged = _order(profile="caOtherCert")
    result = plugin.modify_certificate_request("m-1", merged, plugin_meta, CORE)
    assert result.status is S.WAITING_FOR_CA
    assert dogtag_sim.request_status(first) == "canceled"
    assert plugin_meta["request_id"] != first
    assert plugin_meta["profile"] == "caOtherCert"
    second = dogtag_sim.engine.find(plugin_meta["request_id"])
    assert second.profile_id == "caOtherCert"
    assert second.values["cert_request"] == merged["request_data"]
    assert dogtag_sim.enrollment_count == 2


def test_modify_of_an_issued_order_is_refused(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    plugin_meta: dict = {}
    plugin.issue_certificate_request("m-2", _order(), plugin_meta, CORE)
    result = plugin.modify_certificate_request("m-2", _order(), plugin_meta, CORE)
    assert result.status is S.INVALID_OPERATION
    assert result.status_message.startswith("Modify request: unable to cancel")
    assert dogtag_sim.enrollment_count == 1


def test_agent_calls_without_an_agent_certificate_are_refused(dogtag_sim, tmp_path):
    options = {"base_url": dogtag_sim.base_url, "ca_bundle_file": str(dogtag_sim.tls.root_pem)}
    plugin = DogtagCAPlugin(PluginContext(name="dogtag", data_dir=tmp_path, options=options))
    try:
        plugin_meta: dict = {}
        issued = plugin.issue_certificate_request("a-1", _order(), plugin_meta, CORE)
        assert issued.status is S.WAITING_FOR_CA
        result = plugin.cancel_certificate_request("a-1", {}, plugin_meta, CORE)
        assert result.status is S.INVALID_OPERATION
        assert "Anonymous access not allowed" in result.status_message
        assert not plugin.supports_create_ca()
    finally:
        plugin.close()


def test_credentials_stay_out_of_plugin_meta_and_messages(make_dogtag, dogtag_sim):
    plugin = make_dogtag(auto_approved_profiles=["caServerCert"])
    key_text = dogtag_sim.tls.agent_key.read_text()
    secrets = [
        key_text.splitlines()[1],
        str(dogtag_sim.tls.agent_key),
        str(dogtag_sim.tls.agent_cert),
    ]
    messages: list[str] = []
    metas: list[dict] = []
    for outage in (False, True):
        plugin_meta: dict = {}
        if outage:
            dogtag_sim.go_offline()
        result = plugin.issue_certificate_request("s-1", _order(), plugin_meta, CORE)
        messages.append(result.status_message or "")
        metas.append(plugin_meta)
    dogtag_sim.go_online()
    messages.append(
        plugin.issue_certificate_request("s-2", _order(profile="caX"), {}, CORE).status_message
    )
    blob = json.dumps(metas) + "\n".join(messages)
    for secret in secrets:
        assert secret not in blob
    assert set(metas[0]) == {"request_id", "profile", "serial"}


def test_unreadable_agent_key_fails_construction_without_showing_the_key(dogtag_sim, tmp_path):
    bad_key = tmp_path / "agent.key"
    bad_key.write_text(
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n"
    )
    options = {
        "base_url": dogtag_sim.base_url,
        "client_cert_file": str(dogtag_sim.tls.agent_cert),
        "client_key_file": str(bad_key),
    }
    with pytest.raises(PluginConfigurationError) as caught:
        DogtagCAPlugin(PluginContext(name="dogtag", data_dir=tmp_path, options=options))
    assert "c2VjcmV0" not in str(caught.value)
    assert "agent certificate/key" in str(caught.value)
