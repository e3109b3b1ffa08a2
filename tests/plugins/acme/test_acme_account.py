"""The ACME account: key at rest, registration, External Account Binding, settings."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from acme_driving import drive, order_meta_for, unique_name
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.acme.plugin import AcmePlugin
from certorder.plugins.interface.certificate_manager import PluginContext
from certorder.plugins.interface.dto import CoreMetaDTO
from certorder.plugins.interface.errors import CAUnavailableError, PluginConfigurationError
from certorder.plugins.interface.shared_state_files import DirectorySharedState
from certorder.plugins.interface.status import CertificateStatus
from certorder.plugins.manager import PluginManager


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_account_key_is_private_and_registration_is_reused(
    pebble, make_acme_plugin, tmp_path: Path
) -> None:
    data_dir = tmp_path / "acme"
    first = make_acme_plugin(pebble, data_dir=data_dir)
    # Without a core the shared state is a directory of owner-only files.
    state = DirectorySharedState(data_dir / "state")
    assert _mode(state.directory / "account" / "key.json") == 0o600
    key_pem = state.get_secret("account/key")
    assert key_pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    drive(first, order_meta_for(unique_name()))
    [registration] = state.list("account/registration/").values()
    assert registration["directory_url"] == pebble.directory_url

    first.close()  # one worker at a time owns the http-01 port
    second = make_acme_plugin(pebble, data_dir=data_dir)
    order = drive(second, order_meta_for(unique_name()))

    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED
    assert state.get_secret("account/key") == key_pem  # loaded, not regenerated
    assert second.account.key.thumbprint() == first.account.key.thumbprint()
    assert order.plugin_meta["account_url"] == registration["account_url"]


def test_account_key_is_encrypted_with_the_passphrase(
    pebble, make_acme_plugin, tmp_path: Path
) -> None:
    data_dir = tmp_path / "acme"
    plugin = make_acme_plugin(pebble, data_dir=data_dir, account_key_passphrase="s3cret")
    assert DirectorySharedState(data_dir / "state").get_secret("account/key").startswith(
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----")
    assert drive(plugin, order_meta_for(unique_name())).result.status is (
        CertificateStatus.CERTIFICATE_GENERATED
    )
    with pytest.raises(PluginConfigurationError, match="is account_key_passphrase right"):
        make_acme_plugin(pebble, data_dir=data_dir, account_key_passphrase="wrong")
    with pytest.raises(PluginConfigurationError, match="is account_key_passphrase right"):
        make_acme_plugin(pebble, data_dir=data_dir)


def test_external_account_binding(make_pebble, make_acme_plugin, tmp_path: Path) -> None:
    hmac_key = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    server = make_pebble(eab_keys={"kid-certorder": hmac_key})

    unbound = make_acme_plugin(server, data_dir=tmp_path / "unbound")
    refused = drive(unbound, order_meta_for(unique_name()))
    assert refused.result.status is CertificateStatus.INVALID_OPERATION
    assert "externalAccountRequired" in refused.result.status_message

    wrong = make_acme_plugin(
        server,
        data_dir=tmp_path / "wrong",
        eab_kid="kid-certorder",
        eab_hmac_key=base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="),
    )
    assert drive(wrong, order_meta_for(unique_name())).result.status is (
        CertificateStatus.INVALID_OPERATION
    )

    bound = make_acme_plugin(
        server, data_dir=tmp_path / "bound", eab_kid="kid-certorder", eab_hmac_key=hmac_key
    )
    name = unique_name()
    order = drive(bound, order_meta_for(name))
    assert order.result.status is CertificateStatus.CERTIFICATE_GENERATED, order.calls
    verify_server_chain(
        order.result.certificate, order.result.intermediates, server.root_pem(), name
    )


def test_terms_not_agreed_is_refused_by_the_ca(pebble, make_acme_plugin, tmp_path: Path) -> None:
    plugin = make_acme_plugin(pebble, data_dir=tmp_path / "no-terms", terms_agreed=False)
    result = plugin.issue_certificate_request(
        "order-1", order_meta_for(unique_name()), {}, CoreMetaDTO()
    )
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert result.status_message.startswith("ACME server refused: ")
    assert "terms" in result.status_message.lower()


def test_ca_info_describes_the_directory(pebble, make_acme_plugin, make_pebble) -> None:
    (info,) = make_acme_plugin(pebble).get_ca_info()
    assert info.ca_id == "acme"
    assert pebble.directory_url in info.description
    assert "terms of service data:text/plain" in info.description

    stopped = make_pebble(start=False)
    with pytest.raises(CAUnavailableError, match="unreachable"):
        make_acme_plugin(stopped).get_ca_info()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "directory_url: Field required"),
        ({"directory_url": "ftp://x"}, "directory_url: String should match pattern"),
        ({"directory_url": "https://x/dir", "challenge_type": "dns-01"}, "needs dns_hook"),
        ({"directory_url": "https://x/dir", "challenge_type": "tls-alpn-01"}, "challenge_type"),
        ({"directory_url": "https://x/dir", "eab_kid": "k"}, "must be set together"),
        ({"directory_url": "https://x/dir", "eab_kid": "k", "eab_hmac_key": "!!"}, "base64url"),
        ({"directory_url": "https://x/dir", "webroot": "/nonexistent"}, "not a directory"),
        ({"directory_url": "https://x/dir", "passphrase": "x"}, "Extra inputs"),
    ],
)
def test_bad_settings_stop_start_up(tmp_path: Path, options: dict, message: str) -> None:
    with pytest.raises(PluginConfigurationError, match=message):
        AcmePlugin(PluginContext(name="acme", data_dir=tmp_path, options=options))
    assert not (tmp_path / "state").exists()


def test_settings_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CERTORDER_ACME_DIRECTORY_URL", "https://acme.example.test/dir")
    monkeypatch.setenv("CERTORDER_ACME_POLL_RETRY_MSEC", "1500")
    plugin = AcmePlugin(PluginContext(name="acme", data_dir=tmp_path, options={}))
    assert plugin.settings.directory_url == "https://acme.example.test/dir"
    assert plugin.settings.poll_retry_msec == 1500


def test_loaded_through_its_entry_point(pebble, tmp_path: Path) -> None:
    options = {"acme": {"directory_url": pebble.directory_url, "ca_bundle": str(pebble.ca_bundle)}}
    with PluginManager(["acme"], tmp_path, options) as manager:
        (info,) = manager.ca_info()
        assert info.plugin_name == "acme" and pebble.directory_url in info.description
        order = {"request_type": "simple-cmc", "request_data": make_csr(make_key())}
        assert manager.validate_order(order).plugin_name == "acme"
