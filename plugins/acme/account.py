"""The ACME account: its key at rest, and its registration with the directory.

Files in the plugin's data_dir (both written with mode 0600, replaced atomically):

* ``account-key.pem``: an EC P-256 key in PKCS#8, encrypted with
  ``account_key_passphrase`` when one is set. It is generated once, on first start.
* ``accounts.json``: ``{directory_url: account_url}``, so a changed directory gets its
  own registration instead of reusing a URL another CA issued.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import josepy as jose
from acme import client, errors, messages
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from certorder.plugins.acme.network import AcmeNetwork, AcmeSession
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.errors import PluginConfigurationError

KEY_FILE = "account-key.pem"
ACCOUNTS_FILE = "accounts.json"
USER_AGENT = "certorder-acme"


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only, replacing it atomically."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def load_or_create_key(data_dir: Path, passphrase: bytes | None) -> ec.EllipticCurvePrivateKey:
    """The account key from ``data_dir``, generated and stored on first use.

    :raises PluginConfigurationError: the file exists but cannot be read with the
        configured passphrase (a wrong or missing passphrase never replaces the key).
    """
    path = data_dir / KEY_FILE
    if path.exists():
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=passphrase)
        except (TypeError, ValueError) as exc:
            raise PluginConfigurationError(
                f"cannot read the ACME account key {path}: {exc} (is account_key_passphrase right?)"
            ) from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise PluginConfigurationError(f"ACME account key {path} is not an EC key")
        return key
    key = ec.generate_private_key(ec.SECP256R1())
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    data_dir.mkdir(parents=True, exist_ok=True)
    write_private(path, pem)
    return key


class AcmeAccount:
    """Builds an :class:`AcmeSession` on a registered account, registering on first use.

    The directory and the account URL are cached; a lock makes sure concurrent first
    orders register once.
    """

    def __init__(self, settings: AcmeSettings, data_dir: Path) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.key = jose.JWKEC(key=load_or_create_key(data_dir, settings.passphrase_bytes()))
        self._lock = threading.Lock()
        self._directory: messages.Directory | None = None

    def _network(self) -> AcmeNetwork:
        verify: bool | str = str(self.settings.ca_bundle) if self.settings.ca_bundle else True
        return AcmeNetwork(
            self.key,
            alg=jose.ES256,
            verify_ssl=verify,  # requests takes a CA bundle path here as well as a bool
            user_agent=USER_AGENT,
            timeout=int(self.settings.network_timeout),
            nonce_retries=self.settings.nonce_retries,
        )

    def directory(self) -> messages.Directory:
        """The directory object, fetched once."""
        if self._directory is None:
            url = self.settings.directory_url
            self._directory = client.ClientV2.get_directory(url, self._network())
        return self._directory

    def session(self) -> AcmeSession:
        """A session whose requests are signed as the registered account."""
        net = self._network()
        acme = client.ClientV2(self.directory(), net)
        net.account = messages.RegistrationResource(
            body=messages.Registration(), uri=self._account_url(acme)
        )
        return AcmeSession(acme, self.key)

    def forget_registration(self) -> None:
        """Drop the stored account URL, e.g. after the CA said it no longer knows it."""
        with self._lock:
            accounts = self._read_accounts()
            if accounts.pop(self.settings.directory_url, None) is not None:
                write_private(self.data_dir / ACCOUNTS_FILE, json.dumps(accounts).encode())

    def account_url(self) -> str | None:
        """The registered account's URL at the configured directory, if registered."""
        return self._read_accounts().get(self.settings.directory_url)

    def _read_accounts(self) -> dict[str, str]:
        path = self.data_dir / ACCOUNTS_FILE
        if not path.exists():
            return {}
        return dict(json.loads(path.read_text()))

    def _account_url(self, acme: client.ClientV2) -> str:
        with self._lock:
            accounts = self._read_accounts()
            url = accounts.get(self.settings.directory_url)
            if url is None:
                url = self._register(acme)
                accounts[self.settings.directory_url] = url
                write_private(self.data_dir / ACCOUNTS_FILE, json.dumps(accounts).encode())
            return url

    def _register(self, acme: client.ClientV2) -> str:
        settings = self.settings
        eab = None
        if settings.eab_kid and settings.eab_hmac_key:
            eab = messages.ExternalAccountBinding.from_data(
                account_public_key=self.key.public_key(),
                kid=settings.eab_kid,
                hmac_key=settings.eab_hmac_key.get_secret_value(),
                directory=acme.directory,
            )
        registration = messages.NewRegistration.from_data(
            email=settings.contact_email,
            terms_of_service_agreed=settings.terms_agreed,
            external_account_binding=eab,
        )
        try:
            regr = acme.new_account(registration)
        except errors.ConflictError as conflict:
            # The key is already registered (e.g. accounts.json was lost): RFC 8555
            # §7.3.1 answers with the existing account's URL.
            return conflict.location
        if not regr.uri:
            raise PluginConfigurationError("the ACME server returned no account URL")
        return str(regr.uri)
