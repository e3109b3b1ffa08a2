"""The example plugin of docs/plugin-development.md works as the guide says."""

from __future__ import annotations

import importlib
import sys
import tomllib
from pathlib import Path

import pytest
from cryptography import x509
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins import (
    CertificateStatus,
    CoreMetaDTO,
    PluginConfigurationError,
    PluginContext,
    PluginMethod,
)
from certorder.plugins.manager import PLUGIN_NAMESPACE, PluginManager
from certorder.plugins.testing import CertificatePluginContract, run_order

EXAMPLE_DIR = Path(__file__).resolve().parents[2] / "examples" / "minimal_plugin"
sys.path.insert(0, str(EXAMPLE_DIR))  # the example is not installed in the test venv
from certorder_myca import MyCAPlugin  # noqa: E402

DNS_NAME = "shop.example.test"


def simple_cmc_order() -> dict:
    return {"request_type": "simple-cmc", "request_data": make_csr(make_key(), [DNS_NAME])}


@pytest.fixture
def myca(tmp_path: Path) -> MyCAPlugin:
    return MyCAPlugin(PluginContext(name="myca", data_dir=tmp_path, options={"poll_msec": 5_000}))


class TestMyCAContract(CertificatePluginContract):
    """The shared conformance checks, run against the example."""

    @pytest.fixture
    def plugin(self, myca: MyCAPlugin) -> MyCAPlugin:
        return myca

    @pytest.fixture
    def order_meta(self) -> dict:
        return simple_cmc_order()


def test_pyproject_entry_point_names_the_plugin_class() -> None:
    project = tomllib.loads((EXAMPLE_DIR / "pyproject.toml").read_text())

    target = project["project"]["entry-points"][PLUGIN_NAMESPACE]["myca"]
    module, _, attr = target.partition(":")

    assert getattr(importlib.import_module(module), attr) is MyCAPlugin


def test_issue_waits_then_check_returns_a_certificate_that_verifies(myca: MyCAPlugin) -> None:
    order = simple_cmc_order()

    run = run_order(myca, order, order_id="order-1")

    (first_method, first), (second_method, second) = run.calls
    assert (first_method, first.status) == (PluginMethod.ISSUE, CertificateStatus.WAITING_FOR_CA)
    assert first.retry_msec == 5_000
    assert second_method is PluginMethod.CHECK
    assert second.status is CertificateStatus.CERTIFICATE_GENERATED
    assert set(run.plugin_meta) == {"ca_request_id"}
    chain = verify_server_chain(
        second.certificate, second.intermediates, myca.get_default_signing_cert(), DNS_NAME
    )
    csr = x509.load_pem_x509_csr(order["request_data"].encode())
    assert chain[0].public_key() == csr.public_key()
    [ca] = myca.get_ca_info()
    assert ca.ca_signing_certificate == myca.get_default_signing_cert()
    assert ca.expiration is not None


def test_retried_calls_do_not_place_or_sign_twice(myca: MyCAPlugin) -> None:
    order, meta = simple_cmc_order(), {}

    first = myca.issue_certificate_request("order-2", order, meta, CoreMetaDTO())
    placed = dict(meta)
    myca.issue_certificate_request("order-2", order, meta, CoreMetaDTO())
    certs = [myca.check_certificate_status("order-2", order, meta, CoreMetaDTO()) for _ in "ab"]

    assert first.status is CertificateStatus.WAITING_FOR_CA
    assert meta == placed
    assert certs[0].certificate == certs[1].certificate


def test_stored_key_orders_use_the_core_generated_csr(myca: MyCAPlugin) -> None:
    core_meta = CoreMetaDTO(generated_csr=make_csr(make_key("rsa2048"), [DNS_NAME]))

    run = run_order(myca, {"request_type": "stored-key"}, core_meta=core_meta)

    cert = x509.load_pem_x509_certificate(run.last.certificate.encode())
    csr = x509.load_pem_x509_csr(core_meta.generated_csr.encode())
    assert cert.public_key() == csr.public_key()


def test_cancel_before_issue_and_after(myca: MyCAPlugin) -> None:
    order, meta = simple_cmc_order(), {}
    myca.issue_certificate_request("order-3", order, meta, CoreMetaDTO())

    canceled = myca.cancel_certificate_request("order-3", order, meta, CoreMetaDTO())
    checked = myca.check_certificate_status("order-3", order, meta, CoreMetaDTO())

    assert canceled.status is CertificateStatus.REQUEST_CANCELED
    assert checked.status is CertificateStatus.REQUEST_CANCELED
    run = run_order(myca, order, order_id="order-4")
    late = myca.cancel_certificate_request("order-4", order, run.plugin_meta, CoreMetaDTO())
    assert late.status is CertificateStatus.INVALID_OPERATION


def test_modify_replaces_the_pending_csr(myca: MyCAPlugin) -> None:
    order, meta = simple_cmc_order(), {}
    myca.issue_certificate_request("order-5", order, meta, CoreMetaDTO())
    new_key = make_key()
    order["request_data"] = make_csr(new_key, [DNS_NAME])

    modified = myca.modify_certificate_request("order-5", order, meta, CoreMetaDTO())
    checked = myca.check_certificate_status("order-5", order, meta, CoreMetaDTO())

    assert modified.status is CertificateStatus.WAITING_FOR_CA
    cert = x509.load_pem_x509_certificate(checked.certificate.encode())
    assert cert.public_key() == new_key.public_key()


def test_bad_options_stop_start_up_with_one_line(tmp_path: Path) -> None:
    context = PluginContext(name="myca", data_dir=tmp_path, options={"validity_days": 0})

    with pytest.raises(PluginConfigurationError) as caught:
        MyCAPlugin(context)

    assert str(caught.value) == "validity_days: Input should be greater than or equal to 1"


def test_environment_fills_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTORDER_MYCA_VALIDITY_DAYS", "7")

    plugin = MyCAPlugin(PluginContext(name="myca", data_dir=tmp_path))

    assert plugin.settings.validity_days == 7


def test_manager_routes_csr_orders_to_the_example(myca: MyCAPlugin) -> None:
    manager = PluginManager.from_plugins({"myca": myca})

    selection = manager.validate_order(simple_cmc_order() | {"ca_id": "myca"})

    assert (selection.plugin_name, selection.plugin_ca_id) == ("myca", "myca")


def test_guide_shows_the_example_verbatim() -> None:
    guide = (EXAMPLE_DIR.parents[1] / "docs" / "plugin-development.md").read_text()
    shown = guide.split("<!-- example-plugin:start -->\n```python\n")[1].split("```\n<!--")[0]

    assert shown == (EXAMPLE_DIR / "certorder_myca" / "plugin.py").read_text()
