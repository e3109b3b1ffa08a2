"""The local CA is safe to call again for the same order (it declares ``quick_calls``,
so a local activity re-run after a worker crash reaches it with an empty plugin_meta):
the same order and CSR get the same certificate, never a second one."""

from __future__ import annotations

from local_ca_calls import issued_meta
from x509_helpers import make_csr, make_key

from certorder.plugins.local_ca import LocalCAPlugin


def test_the_local_ca_declares_quick_calls():
    assert LocalCAPlugin.quick_calls is True


def test_issuing_again_for_the_same_order_returns_the_same_certificate(local_ca):
    csr = make_csr(make_key("p256"), ["app.example.test"])
    first = issued_meta(local_ca, "order-again", csr)
    again = issued_meta(local_ca, "order-again", csr)
    assert again["certificate"] == first["certificate"]
    assert again["serial"] == first["serial"]


def test_the_record_survives_a_new_plugin_instance(make_local_ca, local_ca):
    csr = make_csr(make_key("p256"), ["app.example.test"])
    first = issued_meta(local_ca, "order-restart", csr)
    assert issued_meta(make_local_ca(), "order-restart", csr)["serial"] == first["serial"]


def test_another_order_or_another_csr_gets_its_own_certificate(local_ca):
    csr = make_csr(make_key("p256"), ["app.example.test"])
    first = issued_meta(local_ca, "order-a", csr)
    assert issued_meta(local_ca, "order-b", csr)["serial"] != first["serial"]
    other = make_csr(make_key("p256"), ["app.example.test"])
    assert issued_meta(local_ca, "order-a", other)["serial"] != first["serial"]
