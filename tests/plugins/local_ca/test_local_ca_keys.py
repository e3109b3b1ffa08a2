"""The local CA's keys at rest, configured roots, settings, and key caching."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.x509.oid import NameOID
from x509_helpers import make_csr, make_key, verify_server_chain

import certorder.plugins.local_ca.store as local_ca_store
from certorder.plugins.interface.dto import CACreateDTO
from certorder.plugins.interface.errors import PluginConfigurationError
from certorder.plugins.interface.shared_state_files import DirectorySharedState
from certorder.plugins.interface.status import CertificateStatus

HOST = "keys.example.test"


def _key_files(data_dir: Path) -> list[tuple[Path, bytes]]:
    """(file, key PEM) of every CA in the state a plugin keeps without a core."""
    state = DirectorySharedState(data_dir / "state")
    return [(state.directory / f"{key}.json", state.get_secret(key)) for key in state.list("ca/")]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("source", ["option", "env"])
def test_with_a_passphrase_keys_are_encrypted_pkcs8(
    make_local_ca, local_ca_issue, tmp_path, monkeypatch, source
):
    if source == "env":
        monkeypatch.setenv("CERTORDER_LOCAL_CA_PASSPHRASE", "correct horse")
        plugin = make_local_ca()
    else:
        plugin = make_local_ca(passphrase="correct horse")
    plugin.create_ca(CACreateDTO(name="sub"))
    files = _key_files(tmp_path)
    assert len(files) == 2  # root and sub-CA
    for path, data in files:
        assert data.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
        assert _mode(path) == 0o600
        with pytest.raises(TypeError):
            serialization.load_pem_private_key(data, None)
        with pytest.raises(ValueError):
            serialization.load_pem_private_key(data, b"wrong")
        serialization.load_pem_private_key(data, b"correct horse")

    restarted = make_local_ca(tmp_path, passphrase="correct horse")
    assert local_ca_issue(restarted, make_csr(make_key()))[0].certificate
    with pytest.raises(PluginConfigurationError, match="wrong passphrase"):
        make_local_ca(tmp_path, passphrase="not it")
    monkeypatch.delenv("CERTORDER_LOCAL_CA_PASSPHRASE", raising=False)
    with pytest.raises(PluginConfigurationError, match="is encrypted; set the passphrase"):
        make_local_ca(tmp_path)


def test_without_a_passphrase_keys_are_plain_files_of_mode_0600(make_local_ca, tmp_path):
    # Only without a core: the core's shared state seals every key with the KEK.
    plugin = make_local_ca()
    plugin.create_ca(CACreateDTO(name="sub"))
    files = _key_files(tmp_path)
    assert len(files) == 2
    for path, data in files:
        assert _mode(path) == 0o600
        assert data.startswith(b"-----BEGIN PRIVATE KEY-----")
        serialization.load_pem_private_key(data, None)
    assert _mode(tmp_path / "state") == _mode(tmp_path / "state" / "ca") == 0o700


def test_keys_are_decrypted_once_per_instance(make_local_ca, local_ca_issue, tmp_path, monkeypatch):
    sub = make_local_ca(passphrase="pw").create_ca(CACreateDTO(name="sub"))
    loads: list[str] = []
    real = local_ca_store.load_private_key_pem

    def counting(data: bytes, passphrase: str | None, what: str):
        loads.append(what.split("'")[1])
        return real(data, passphrase, what)

    monkeypatch.setattr(local_ca_store, "load_private_key_pem", counting)
    plugin = make_local_ca(tmp_path, passphrase="pw")
    for _ in range(5):
        for ca_id in (None, sub.ca_id):
            result, _ = local_ca_issue(plugin, make_csr(make_key()), ca_id)
            assert result.status is CertificateStatus.CERTIFICATE_GENERATED
    assert sorted(loads) == sorted(["root", sub.ca_id])


def _write_ca(directory: Path, passphrase: bytes | None, issuer=None) -> tuple:
    """A CA certificate and key file pair made outside the plugin (as an operator would)."""
    key = make_key("p384")
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Ops CA {directory.name}")])
    signer_cert, signer_key = issuer or (None, key)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(signer_cert.subject if signer_cert else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signer_key.public_key()), False
        )
        .sign(signer_key, hashes.SHA384())
    )
    directory.mkdir()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    key_file, cert_file = directory / "ca.key", directory / "ca.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return cert_file, key_file, cert, key


def test_root_can_be_loaded_from_configured_pem_files(make_local_ca, local_ca_issue, tmp_path):
    cert_file, key_file, cert, _ = _write_ca(tmp_path / "ops", b"s3cret")
    plugin = make_local_ca(
        tmp_path / "data", root_cert_file=cert_file, root_key_file=key_file, passphrase="s3cret"
    )
    assert plugin.get_default_signing_cert() == cert_file.read_text()
    result, _ = local_ca_issue(plugin, make_csr(make_key(), [HOST]))
    assert result.intermediates is None
    verify_server_chain(result.certificate, None, cert_file.read_text(), HOST)
    sub = plugin.create_ca(CACreateDTO(name="under ops"))
    result, _ = local_ca_issue(plugin, make_csr(make_key(), [HOST]), sub.ca_id)
    verify_server_chain(result.certificate, result.intermediates, cert_file.read_text(), HOST)
    assert "ca/root" not in DirectorySharedState(tmp_path / "data" / "state").list("ca/")
    assert plugin.get_ca_info()[0].name == "Ops CA ops"


def test_a_configured_ca_under_an_outside_root_is_sent_as_an_intermediate(
    make_local_ca, local_ca_issue, tmp_path
):
    outside_file, _, outside_cert, outside_key = _write_ca(tmp_path / "outside", None)
    cert_file, key_file, cert, _ = _write_ca(tmp_path / "ops", None, (outside_cert, outside_key))
    plugin = make_local_ca(tmp_path / "data", root_cert_file=cert_file, root_key_file=key_file)
    result, _ = local_ca_issue(plugin, make_csr(make_key(), [HOST]))
    assert x509.load_pem_x509_certificates(result.intermediates.encode()) == [cert]
    verify_server_chain(result.certificate, result.intermediates, outside_file.read_text(), HOST)


def test_bad_configuration_stops_construction(make_local_ca, tmp_path):
    cert_file, key_file, *_ = _write_ca(tmp_path / "a", None)
    other_cert, other_key, *_ = _write_ca(tmp_path / "b", b"pw")
    cases = [
        ({"root_cert_file": cert_file}, "must be set together"),
        ({"root_cert_file": cert_file, "root_key_file": other_key, "passphrase": "pw"}, "match"),
        ({"root_cert_file": other_cert, "root_key_file": other_key}, "is encrypted"),
        ({"root_cert_file": key_file, "root_key_file": key_file}, "not a readable PEM"),
        ({"passpharse": "typo"}, "passpharse"),
        ({"key_type": "dsa"}, "key_type"),
    ]
    for options, message in cases:
        with pytest.raises(PluginConfigurationError, match=message):
            make_local_ca(tmp_path / "data", **options)


@pytest.mark.parametrize("key_type", ["rsa3072", "p384", "ed25519"])
def test_ca_key_types(make_local_ca, local_ca_issue, key_type):
    plugin = make_local_ca(key_type=key_type)
    sub = plugin.create_ca(CACreateDTO(name="sub"))
    result, _ = local_ca_issue(plugin, make_csr(make_key(), [HOST]), sub.ca_id)
    [root] = x509.load_pem_x509_certificates(plugin.get_default_signing_cert().encode())
    [sub_cert] = x509.load_pem_x509_certificates(result.intermediates.encode())
    leaf = x509.load_pem_x509_certificate(result.certificate.encode())
    leaf.verify_directly_issued_by(sub_cert)
    sub_cert.verify_directly_issued_by(root)
    if key_type == "ed25519":
        assert isinstance(root.public_key(), ed25519.Ed25519PublicKey)
        assert leaf.signature_hash_algorithm is None
        return  # WebPKI verifiers refuse Ed25519 CA keys; see docs/plugins/local-ca.md
    assert isinstance(leaf.signature_hash_algorithm, hashes.SHA256)
    if key_type == "rsa3072":
        assert isinstance(root.public_key(), rsa.RSAPublicKey)
        assert root.public_key().key_size == 3072
    verify_server_chain(
        result.certificate, result.intermediates, plugin.get_default_signing_cert(), HOST
    )
