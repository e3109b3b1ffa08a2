"""Shared pieces for workflow tests: a CSR, a real certificate for it, result builders."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from x509_helpers import make_csr, make_key

from certorder.plugins import CertificateStatus, CoreMetaDTO, PluginContext, ResultDTO
from certorder.plugins.local_ca.plugin import LocalCAPlugin


@dataclass(frozen=True)
class OrderRequest:
    csr: str

    @property
    def order_meta(self) -> dict:
        return {"request_type": "simple-cmc", "request_data": self.csr, "plugin_name": "scripted"}


def new_request(name: str = "www.example.test") -> OrderRequest:
    return OrderRequest(csr=make_csr(make_key("p256"), [name]))


_ca: LocalCAPlugin | None = None


def issued_for(csr: str) -> ResultDTO:
    """A CERTIFICATE_GENERATED result with a real certificate for ``csr``."""
    global _ca
    if _ca is None:
        _ca = LocalCAPlugin(PluginContext(name="local-ca", data_dir=Path(tempfile.mkdtemp())))
    result = _ca.issue_certificate_request(
        "fixture", {"request_type": "simple-cmc", "request_data": csr}, {}, CoreMetaDTO()
    )
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result
    return result


def waiting(retry_msec: int = 20, message: str = "queued at the CA") -> ResultDTO:
    return ResultDTO(status=CertificateStatus.WAITING_FOR_CA, status_message=message,
                     retry_msec=retry_msec)


def result(status: CertificateStatus, message: str = "", retry_msec: int = 20,
           **fields) -> ResultDTO:
    return ResultDTO(status=status, status_message=message or None, retry_msec=retry_msec,
                     **fields)
