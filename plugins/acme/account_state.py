"""Where the ACME account lives: the shared state, so that every worker uses one account.

Records (``PluginContext.shared``; see ``plugins/interface/shared_state.py``)::

    account/key                          {"public_key_sha256"}; its secret is the EC
                                         P-256 key, PKCS#8 PEM, encrypted with
                                         ``account_key_passphrase`` when one is set
    account/registration/<directory id>  {"directory_url", "account_url"}, so a changed
                                         directory gets its own registration

Both are made with ``create``: two workers starting at once keep the key that was
stored first, and two first orders keep one account URL. A data_dir of the old layout
(``account-key.pem``, ``accounts.json``) is imported on first start, so an upgraded
worker keeps its account.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from certorder.plugins.interface.errors import PluginConfigurationError
from certorder.plugins.interface.shared_state import SharedState

KEY_RECORD = "account/key"
#: The old layout's files in the plugin's data_dir.
LEGACY_KEY_FILE = "account-key.pem"
LEGACY_ACCOUNTS_FILE = "accounts.json"


def _fingerprint(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _load(pem: bytes, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=passphrase)
    except (TypeError, ValueError) as exc:
        raise PluginConfigurationError(
            f"cannot read the ACME account key: {exc} (is account_key_passphrase right?)"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise PluginConfigurationError("the ACME account key is not an EC key")
    return key


def _new_key_pem(passphrase: bytes | None) -> bytes:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase
        else serialization.NoEncryption())
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def load_or_create_key(
    state: SharedState, data_dir: Path, passphrase: bytes | None
) -> ec.EllipticCurvePrivateKey:
    """The account key, made (or imported from ``data_dir``) and stored on first use.

    :raises PluginConfigurationError: the stored key cannot be read with the configured
        passphrase (a wrong or missing passphrase never replaces the key).
    """
    pem = state.get_secret(KEY_RECORD)
    if pem is not None:
        return _load(pem, passphrase)
    legacy = Path(data_dir) / LEGACY_KEY_FILE
    pem = legacy.read_bytes() if legacy.is_file() else _new_key_pem(passphrase)
    mine = {"public_key_sha256": _fingerprint(_load(pem, passphrase))}
    if state.create(KEY_RECORD, mine, secret=pem) == mine and legacy.is_file():
        _import_registrations(state, Path(data_dir) / LEGACY_ACCOUNTS_FILE)
    stored = state.get_secret(KEY_RECORD)
    if stored is None:
        raise PluginConfigurationError("the ACME account key vanished from the shared state")
    return _load(stored, passphrase)


def _registration_key(directory_url: str) -> str:
    return f"account/registration/{hashlib.sha256(directory_url.encode()).hexdigest()[:32]}"


def account_url(state: SharedState, directory_url: str) -> str | None:
    """The account's URL at ``directory_url``, if it is registered there."""
    record = state.get(_registration_key(directory_url))
    return None if record is None else str(record["account_url"])


def remember_account_url(state: SharedState, directory_url: str, url: str) -> str:
    """Store ``url`` unless a racing worker stored one first; returns the stored one."""
    record = {"directory_url": directory_url, "account_url": url}
    return str(state.create(_registration_key(directory_url), record)["account_url"])


def forget_account_url(state: SharedState, directory_url: str) -> None:
    """Drop the stored registration at ``directory_url``."""
    state.delete(_registration_key(directory_url))


def _import_registrations(state: SharedState, accounts_file: Path) -> None:
    if not accounts_file.is_file():
        return
    for directory_url, url in dict(json.loads(accounts_file.read_text())).items():
        remember_account_url(state, str(directory_url), str(url))
