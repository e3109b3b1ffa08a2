"""Helpers for testing a certificate plugin without Temporal: drive an order the way
the core does, and a conformance mixin every plugin's test suite can inherit.

Nothing here imports pytest; the mixin only needs two fixtures from the test class::

    class TestMyCA(CertificatePluginContract):
        @pytest.fixture
        def plugin(self, tmp_path):
            return MyCAPlugin(PluginContext(name="myca", data_dir=tmp_path))

        @pytest.fixture
        def order_meta(self):
            return {"request_type": "simple-cmc", "request_data": make_csr_pem()}
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from certorder.plugins.interface.certificate_manager import CertificatePluginBase
from certorder.plugins.interface.dto import CAInfo, CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import CAUnavailableError
from certorder.plugins.interface.status import (
    CertificateRequestType,
    CertificateStatus,
    PluginMethod,
)

__all__ = ["CertificatePluginContract", "OrderRun", "run_order"]

_FINAL = {
    CertificateStatus.CERTIFICATE_GENERATED,
    CertificateStatus.REQUEST_CANCELED,
    CertificateStatus.INVALID_OPERATION,
}


class OrderRun:
    """What :func:`run_order` saw: every result in call order, and the final plugin_meta."""

    def __init__(self) -> None:
        self.calls: list[tuple[PluginMethod, ResultDTO | CAUnavailableError]] = []
        self.plugin_meta: dict[str, Any] = {}

    @property
    def last(self) -> ResultDTO:
        """The last result returned (not raised)."""
        return next(r for _, r in reversed(self.calls) if isinstance(r, ResultDTO))


def run_order(
    plugin: CertificatePluginBase,
    order_meta: Mapping[str, Any],
    *,
    order_id: str | None = None,
    core_meta: CoreMetaDTO | None = None,
    max_calls: int = 10,
) -> OrderRun:
    """Issue an order and follow the core's rules, without waiting, until a final status
    or ``max_calls`` calls: ``WAITING_FOR_CA`` / ``CLIENT_DATA_ISSUE_SEEN`` lead to a
    status check, an unavailable CA to the same method again, ``retry_method`` wins.

    ``plugin_meta`` is round-tripped through JSON between calls, as the core persists it.
    """
    run, order_id = OrderRun(), order_id or str(uuid.uuid4())
    core_meta = core_meta or CoreMetaDTO()
    method = PluginMethod.ISSUE
    for _ in range(max_calls):
        call = getattr(plugin, method.value)
        try:
            result = call(order_id, dict(order_meta), run.plugin_meta, core_meta)
        except CAUnavailableError as exc:
            run.calls.append((method, exc))
            continue
        run.calls.append((method, result))
        run.plugin_meta = json.loads(json.dumps(run.plugin_meta))
        if result.status in _FINAL:
            break
        if result.retry_method is not None:
            method = result.retry_method
        elif result.status is not CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST:
            method = PluginMethod.CHECK
    return run


def _public_key_der(key: Any) -> bytes:
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


class CertificatePluginContract:
    """Conformance tests for any plugin. Needs fixtures ``plugin`` (a constructed
    plugin) and ``order_meta`` (an order it should complete)."""

    #: Calls allowed for an order to reach ``CERTIFICATE_GENERATED`` in
    #: :meth:`test_contract_order_completes`; ``None`` for plugins that need an outside
    #: step (an approval, a domain check) and cannot complete in a unit test.
    calls_until_generated: ClassVar[int | None] = 5

    def test_contract_request_types(self, plugin: CertificatePluginBase) -> None:
        types = list(plugin.supported_request_types())
        assert types, "supported_request_types() is empty"
        assert all(isinstance(t, CertificateRequestType) for t in types)
        assert CertificateRequestType.FULL_CMC not in types

    def test_contract_ca_info(self, plugin: CertificatePluginBase) -> None:
        infos = plugin.get_ca_info()
        assert infos and all(isinstance(info, CAInfo) for info in infos)
        ids = [info.ca_id for info in infos]
        assert len(ids) == len(set(ids)), f"duplicate CA ids: {ids}"
        assert plugin.get_default_ca_name() in ids
        assert all(info.plugin_name is None for info in infos), "the manager sets plugin_name"

    def test_contract_accepts_its_sample_order(
        self, plugin: CertificatePluginBase, order_meta: dict
    ) -> None:
        plugin.validate_order_meta(order_meta)
        assert plugin.supports(order_meta)

    def test_contract_issue(self, plugin: CertificatePluginBase, order_meta: dict) -> None:
        plugin_meta: dict[str, Any] = {}
        result = plugin.issue_certificate_request(
            "contract-1", order_meta, plugin_meta, CoreMetaDTO()
        )
        assert isinstance(result, ResultDTO)
        json.dumps(plugin_meta)  # the core persists it as JSON

    def test_contract_order_completes(
        self, plugin: CertificatePluginBase, order_meta: dict
    ) -> None:
        if self.calls_until_generated is None:
            return
        run = run_order(plugin, order_meta, max_calls=self.calls_until_generated)
        assert run.last.status is CertificateStatus.CERTIFICATE_GENERATED, run.calls
        cert = x509.load_pem_x509_certificate(run.last.certificate.encode())
        if order_meta.get("request_type") == CertificateRequestType.SIMPLE_CMC:
            csr = x509.load_pem_x509_csr(order_meta["request_data"].encode())
            assert _public_key_der(cert.public_key()) == _public_key_der(csr.public_key())
