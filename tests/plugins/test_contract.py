"""The plugin contract itself: vocabularies, ResultDTO rules, base-class defaults,
the public surface of ``plugins``, and the no-Temporal rule."""

from __future__ import annotations

import ast
import types
from pathlib import Path

import pytest
from cryptography import x509
from fake_plugins import self_signed_pem
from pydantic import BaseModel, ValidationError

from certorder import plugins
from certorder.plugins import (
    MAX_RETRY_MSEC,
    CACreateDTO,
    CAInfo,
    CAOperationError,
    CertificatePluginBase,
    CertificateRequestType,
    CertificateStatus,
    InvalidOrderError,
    PluginContext,
    PluginMethod,
    ResultDTO,
)

PLUGINS_DIR = Path(plugins.__file__).parent


# -- vocabularies ------------------------------------------------------------------------


def test_status_strings_are_the_seed_contract() -> None:
    assert [status.value for status in CertificateStatus] == [
        "certificate generated",
        "waiting for CA",
        "client data issue seen",
        "CA unavailable for request",
        "request canceled",
        "invalid operation",
    ]
    assert str(CertificateStatus.WAITING_FOR_CA) == "waiting for CA"


def test_request_type_values() -> None:
    assert {t.value for t in CertificateRequestType} == {
        "custom",
        "simple-cmc",
        "stored-key",
        "full-cmc",
    }


def test_plugin_methods_name_the_abstract_order_methods() -> None:
    assert {m.value for m in PluginMethod} == CertificatePluginBase.__abstractmethods__


# -- ResultDTO -----------------------------------------------------------------------------


def generated(**fields) -> ResultDTO:
    return ResultDTO(status=CertificateStatus.CERTIFICATE_GENERATED, **fields)


@pytest.mark.parametrize(
    "certificate",
    [None, "", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", "garbage"],
)
def test_generated_needs_a_parsable_certificate(certificate) -> None:
    with pytest.raises(ValidationError):
        generated(certificate=certificate)


def test_generated_certificate_holds_only_the_leaf() -> None:
    with pytest.raises(ValidationError, match="exactly the leaf"):
        generated(certificate=self_signed_pem("leaf") + self_signed_pem("extra"))


def test_generated_with_a_real_certificate_is_accepted() -> None:
    pem = self_signed_pem()

    result = generated(certificate=pem, intermediates=self_signed_pem("issuer"))

    assert result.certificate == pem
    assert x509.load_pem_x509_certificate(result.certificate.encode()).subject.rfc4514_string() == (
        "CN=contract test"
    )


def test_pem_bytes_are_coerced_to_text() -> None:
    pem = self_signed_pem()

    result = generated(certificate=pem.encode(), intermediates=pem.encode())

    assert result.certificate == pem
    assert result.intermediates == pem


def test_intermediates_must_be_certificates() -> None:
    with pytest.raises(ValidationError, match="intermediates are not PEM X.509"):
        generated(certificate=self_signed_pem(), intermediates="garbage")


def test_retry_delay_default_and_bounds() -> None:
    waiting = CertificateStatus.WAITING_FOR_CA
    assert ResultDTO(status=waiting).retry_msec == 3_600_000
    assert ResultDTO(status=waiting, retry_msec=MAX_RETRY_MSEC).retry_msec == MAX_RETRY_MSEC
    for bad in (-1, MAX_RETRY_MSEC + 1):
        with pytest.raises(ValidationError):
            ResultDTO(status=waiting, retry_msec=bad)


@pytest.mark.parametrize("method", [m.value for m in PluginMethod])
def test_retry_method_accepts_method_names(method: str) -> None:
    result = ResultDTO(status=CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST, retry_method=method)

    assert result.retry_method is PluginMethod(method)


def test_retry_method_rejects_other_names() -> None:
    with pytest.raises(ValidationError):
        ResultDTO(status=CertificateStatus.WAITING_FOR_CA, retry_method="get_ca_info")


def test_result_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        ResultDTO(status=CertificateStatus.WAITING_FOR_CA, retry_seconds=5)


# -- the public surface --------------------------------------------------------------------


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name, value in vars(plugins).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }

    assert plugins.__all__ == sorted(plugins.__all__)
    assert set(plugins.__all__) == public


def test_nothing_under_plugins_imports_temporalio() -> None:
    offenders = []
    for path in sorted(PLUGINS_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            offenders += [f"{path}: {m}" for m in modules if m.split(".")[0] == "temporalio"]

    assert offenders == []
    assert len(list(PLUGINS_DIR.rglob("*.py"))) >= 7  # the walk really saw the package


# -- CertificatePluginBase defaults ----------------------------------------------------------


class MinimalPlugin(CertificatePluginBase):
    """Implements only the four abstract order methods."""

    def _waiting(self, *args) -> ResultDTO:
        return ResultDTO(status=CertificateStatus.WAITING_FOR_CA)

    issue_certificate_request = _waiting
    check_certificate_status = _waiting
    modify_certificate_request = _waiting
    cancel_certificate_request = _waiting


class ProfileMeta(BaseModel):
    profile: str
    lifetime_days: int = 90


class ProfilePlugin(MinimalPlugin):
    order_meta_model = ProfileMeta


def make(cls: type[CertificatePluginBase], tmp_path: Path, name: str = "minimal"):
    return cls(PluginContext(name=name, data_dir=tmp_path))


def test_default_ca_info_is_one_ca_named_after_the_plugin(tmp_path: Path) -> None:
    plugin = make(MinimalPlugin, tmp_path)

    assert plugin.get_ca_info() == [
        CAInfo(ca_id="minimal", name="minimal", description="Certificate Authority - minimal")
    ]


def test_default_ca_info_reads_expiry_from_the_signing_certificate(tmp_path: Path) -> None:
    pem = self_signed_pem()

    class WithSigningCert(MinimalPlugin):
        def get_default_signing_cert(self) -> str:
            return pem

    [info] = make(WithSigningCert, tmp_path).get_ca_info()

    assert info.ca_signing_certificate == pem
    assert info.expiration == x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc


def test_default_selection_answers(tmp_path: Path) -> None:
    plugin = make(MinimalPlugin, tmp_path)

    assert plugin.supports({"anything": 1}) is True
    assert list(plugin.supported_request_types()) == [CertificateRequestType.SIMPLE_CMC]
    assert plugin.supports_create_ca() is False
    assert plugin.validate_order_meta({"whatever": object()}) is None


def test_default_ca_management_refuses(tmp_path: Path) -> None:
    plugin = make(MinimalPlugin, tmp_path)

    with pytest.raises(CAOperationError, match="plugin 'minimal' cannot create sub-CAs"):
        plugin.create_ca(CACreateDTO(name="sub"))
    with pytest.raises(CAOperationError, match="plugin 'minimal' cannot delete CAs"):
        plugin.delete_ca("minimal")


@pytest.mark.parametrize(
    ("order_meta", "expected"),
    [
        ({}, "profiled: profile: Field required"),
        ({"profile": "web", "lifetime_days": "long"}, "profiled: lifetime_days: Input should be"),
    ],
)
def test_order_meta_model_errors_are_one_line_naming_the_field(
    tmp_path: Path, order_meta: dict, expected: str
) -> None:
    plugin = make(ProfilePlugin, tmp_path, name="profiled")

    with pytest.raises(InvalidOrderError) as caught:
        plugin.validate_order_meta(order_meta)

    assert str(caught.value).startswith(expected)
    assert "\n" not in str(caught.value)
    # Keys the core adds must pass through the plugin's model.
    plugin.validate_order_meta({"profile": "web", "request_type": "simple-cmc", "ca_id": "x"})
