"""The local CA is safe to call again for the same order (it declares ``quick_calls``,
so a local activity re-run after a worker crash reaches it with an empty plugin_meta):
the same order and CSR get the same certificate, never a second one."""

from __future__ import annotations

from x509_helpers import make_csr, make_key

from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.local_ca import LocalCAPlugin


def _issue(plugin: LocalCAPlugin, order_id: str, csr: str) -> dict:
    plugin_meta: dict = {}
    result = plugin.issue_certificate_request(
        order_id, {"request_type": "simple-cmc", "request_data": csr}, plugin_meta,
        CoreMetaDTO())
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    return plugin_meta


def test_the_local_ca_declares_quick_calls():
    assert LocalCAPlugin.quick_calls is True


def test_issuing_again_for_the_same_order_returns_the_same_certificate(local_ca):
    csr = make_csr(make_key("p256"), ["app.example.test"])
    first = _issue(local_ca, "order-again", csr)
    again = _issue(local_ca, "order-again", csr)
    assert again["certificate"] == first["certificate"]
    assert again["serial"] == first["serial"]


def test_the_record_survives_a_new_plugin_instance(make_local_ca, local_ca):
    csr = make_csr(make_key("p256"), ["app.example.test"])
    first = _issue(local_ca, "order-restart", csr)
    assert _issue(make_local_ca(), "order-restart", csr)["serial"] == first["serial"]


def test_another_order_or_another_csr_gets_its_own_certificate(local_ca):
    csr = make_csr(make_key("p256"), ["app.example.test"])
    first = _issue(local_ca, "order-a", csr)
    assert _issue(local_ca, "order-b", csr)["serial"] != first["serial"]
    other = make_csr(make_key("p256"), ["app.example.test"])
    assert _issue(local_ca, "order-a", other)["serial"] != first["serial"]
