"""Upgrading a local CA that kept its CAs in its data_dir: the first worker on the
store imports them once, and every worker then issues from that root."""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.keys.envelope import Kek
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.errors import PluginConfigurationError
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.local_ca.issuer import build_ca_certificate
from certorder.plugins.local_ca.keys import generate_ca_key, private_key_pem
from certorder.plugins.local_ca.plugin import LocalCAPlugin
from certorder.store import CertificateStore
from certorder.store.plugin_state import StoreSharedState

HOST = "upgrade.example.test"
OLD_SUB = "old-sub-0000aaaa"

@pytest.fixture
def store_url(module_store_url: str) -> str:
    """This module's own store: its tests leave secrets sealed by KEKs of their own."""
    return module_store_url



def _write_ca(directory: Path, meta: dict, cert: x509.Certificate, key_pem: bytes) -> None:
    directory.mkdir(parents=True)
    (directory / "cert.pem").write_bytes(cert.public_bytes(Encoding.PEM))
    (directory / "key.pem").write_bytes(key_pem)
    (directory / "meta.json").write_text(json.dumps(meta))


def _old_data_dir(data_dir: Path, passphrase: str | None = None) -> x509.Certificate:
    """A data_dir as the previous version left it: a root, one sub-CA, one revocation."""
    key = generate_ca_key("p256")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"old root {data_dir.name}")])
    root = build_ca_certificate(subject=name, key=key, days=365, path_length=2)
    _write_ca(data_dir / "cas" / "root", {"ca_id": "root", "name": "old root"}, root,
              private_key_pem(key, passphrase))
    sub_key = generate_ca_key("p256")
    sub = build_ca_certificate(
        subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "old sub")]), key=sub_key,
        days=365, path_length=1, issuer_cert=root, issuer_key=key)
    _write_ca(data_dir / "cas" / OLD_SUB,
              {"ca_id": OLD_SUB, "name": "old sub", "parent_ca_id": "root"}, sub,
              private_key_pem(sub_key, passphrase))
    (data_dir / "crls" / "root").mkdir(parents=True)
    (data_dir / "crls" / "root" / "revoked.json").write_text(json.dumps({
        "crl_number": 7,
        "revoked": {"abc123": {"reason": "keyCompromise",
                               "revoked_at": "2026-01-02T03:04:05+00:00"}}}))
    return root


@pytest.fixture
def worker(store: CertificateStore, tmp_path: Path):
    kek, plugin_name = Kek(os.urandom(32)), f"local-ca-{uuid.uuid4().hex[:8]}"

    def make(name: str, **options) -> LocalCAPlugin:
        (tmp_path / name).mkdir(exist_ok=True)
        shared = StoreSharedState(store.engine, kek, plugin_name)
        return LocalCAPlugin(PluginContext(name=plugin_name, data_dir=tmp_path / name,
                                           options=options, shared=shared))

    return make


def _pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(Encoding.PEM).decode()


def test_an_old_data_dir_is_imported_once_and_shared(worker, tmp_path, caplog) -> None:
    old_root = _old_data_dir(tmp_path / "old")
    upgraded = worker("old")
    fresh = worker("fresh")  # a new worker: nothing in its data_dir
    assert upgraded.get_default_signing_cert() == fresh.get_default_signing_cert() \
        == _pem(old_root)
    assert [info.ca_id for info in fresh.get_ca_info()] == ["root", OLD_SUB]
    result = fresh.issue_certificate_request(
        "o-1", {"request_data": make_csr(make_key(), [HOST])}, {},
        CoreMetaDTO(plugin_ca_id=OLD_SUB))
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
    verify_server_chain(result.certificate, result.intermediates, _pem(old_root), HOST)
    crl = x509.load_pem_x509_crl(fresh.get_crl("root").encode())
    assert [entry.serial_number for entry in crl] == [0xABC123]
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 8

    # Once imported, the files are not read again: a sub-CA deleted since stays deleted.
    fresh.delete_ca(OLD_SUB)
    restarted = worker("old")
    assert [info.ca_id for info in restarted.get_ca_info()] == ["root"]

    # A data_dir with another old root does not replace the shared one.
    _old_data_dir(tmp_path / "stray")
    with caplog.at_level(logging.WARNING):
        stray = worker("stray")
    assert stray.get_default_signing_cert() == _pem(old_root)
    assert "is not the shared one" in caplog.text


def test_the_import_needs_the_passphrase_of_the_old_keys(worker, tmp_path) -> None:
    old_root = _old_data_dir(tmp_path / "old", passphrase="old secret")
    with pytest.raises(PluginConfigurationError, match="wrong passphrase"):
        worker("old", passphrase="not it")
    assert worker("old", passphrase="old secret").get_default_signing_cert() == _pem(old_root)
