"""The ACME account: a session signed with its key, registered on first use.

The key and the registrations are in the shared state (``account_state``), so every
worker on one store orders with the same account.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import josepy as jose
from acme import client, errors, messages

from certorder.plugins.acme.account_state import (
    account_url,
    forget_account_url,
    load_or_create_key,
    remember_account_url,
)
from certorder.plugins.acme.network import AcmeNetwork, AcmeSession
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.errors import PluginConfigurationError
from certorder.plugins.interface.shared_state import SharedState

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


class AcmeAccount:
    """Builds an :class:`AcmeSession` on a registered account, registering on first use.

    The directory is cached; a lock makes sure concurrent first orders of this worker
    register once, and the shared state's ``create`` that workers racing to register
    keep one URL (the CA answers the same key with the same account anyway).
    """

    def __init__(self, settings: AcmeSettings, state: SharedState, data_dir: Path) -> None:
        self.settings = settings
        self.state = state
        self.key = jose.JWKEC(
            key=load_or_create_key(state, data_dir, settings.passphrase_bytes()))
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
            forget_account_url(self.state, self.settings.directory_url)

    def account_url(self) -> str | None:
        """The registered account's URL at the configured directory, if registered."""
        return account_url(self.state, self.settings.directory_url)

    def _account_url(self, acme: client.ClientV2) -> str:
        with self._lock:
            url = account_url(self.state, self.settings.directory_url)
            if url is None:
                url = remember_account_url(self.state, self.settings.directory_url,
                                           self._register(acme))
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
            # The key is already registered (e.g. the record was lost): RFC 8555
            # §7.3.1 answers with the existing account's URL.
            return conflict.location
        if not regr.uri:
            raise PluginConfigurationError("the ACME server returned no account URL")
        return str(regr.uri)
