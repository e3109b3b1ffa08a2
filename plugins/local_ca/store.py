"""The local CA's hierarchy: the root, its sub-CAs, and their (cached) signing keys.

The root has the id ``root``. A sub-CA's id is a slug of its name plus 8 random hex
digits (``web-servers-3f9a1c2e``): readable in logs, unique without coordination.

The CAs live in the shared state (``records``), which every worker's instance uses:
this class trusts it, not its cache. An id it does not know triggers a reload, and a
cached CA whose record vanished (deleted through another worker) is forgotten on its
next use. Keys are decrypted once per instance, on first use.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from cryptography import x509
from cryptography.x509.oid import NameOID

from certorder.plugins.interface.errors import (
    CAOperationError,
    PluginConfigurationError,
    UnknownCAError,
)
from certorder.plugins.interface.shared_state import SharedState
from certorder.plugins.local_ca.authority import (
    CA_ID_PATTERN,
    ROOT_ID,
    CAMeta,
    LocalCA,
    key_matches,
    load_configured_root,
    new_ca_id,
    sub_ca_subject,
)
from certorder.plugins.local_ca.hierarchy import link_sub_cas, load_ca
from certorder.plugins.local_ca.issuer import CAExpiredError, build_ca_certificate, path_length_of
from certorder.plugins.local_ca.keys import (
    CAPrivateKey,
    generate_ca_key,
    load_private_key_pem,
    private_key_pem,
)
from certorder.plugins.local_ca.legacy_import import import_data_dir
from certorder.plugins.local_ca.records import CA_PREFIX, ca_key, ca_record
from certorder.plugins.local_ca.settings import LocalCASettings

log = logging.getLogger(__name__)


class CAStore:
    """Loads, creates and deletes the CAs in one shared state; safe to share between
    threads. ``data_dir`` is read once, for CAs of the old layout to import."""

    def __init__(self, state: SharedState, settings: LocalCASettings, data_dir: Path) -> None:
        self.settings = settings
        self.state = state
        self._lock = threading.RLock()
        self._cas: dict[str, LocalCA] = {}
        self._keys: dict[str, CAPrivateKey] = {}
        if settings.root_cert_file is not None and settings.root_key_file is not None:
            root, key = load_configured_root(
                settings.root_cert_file, settings.root_key_file, settings.passphrase_text()
            )
            self._cas[ROOT_ID], self._keys[ROOT_ID] = root, key
            import_data_dir(state, Path(data_dir), settings.passphrase_text(), root)
            return
        import_data_dir(state, Path(data_dir), settings.passphrase_text())
        if state.get(ca_key(ROOT_ID)) is not None:
            # Decrypt the stored root key now, so a wrong passphrase stops start-up
            # instead of failing every order.
            self.signing_key(self.root())

    # -- lookup ----------------------------------------------------------------------

    def root(self) -> LocalCA:
        """The root CA, created on first use when it is neither configured nor stored."""
        root = self._cas.get(ROOT_ID)
        if root is not None:
            return root
        with self._lock:
            if ROOT_ID not in self._cas:
                record = self.state.get(ca_key(ROOT_ID)) or self._create_root()
                try:
                    self._cas[ROOT_ID] = load_ca(record, parent=None)
                except ValueError as exc:
                    raise PluginConfigurationError(f"the local root CA: {exc}") from None
            return self._cas[ROOT_ID]

    def get(self, ca_id: str | None) -> LocalCA:
        """The CA with ``ca_id`` (``None`` or ``"root"``: the root).

        :raises UnknownCAError: no such CA, also after reloading the shared state.
        """
        if ca_id is None or ca_id == ROOT_ID:
            return self.root()
        if not CA_ID_PATTERN.fullmatch(ca_id):
            raise UnknownCAError(f"no local CA with id {ca_id!r}")
        ca = self._cas.get(ca_id)
        if ca is not None and self.state.get(ca_key(ca_id)) is not None:
            return ca
        self.rescan()
        ca = self._cas.get(ca_id)
        if ca is None:
            raise UnknownCAError(f"no local CA with id {ca_id!r}")
        return ca

    def all(self) -> list[LocalCA]:
        """The root first, then every sub-CA, as stored now."""
        self.rescan()
        with self._lock:
            subs = sorted(
                (ca for ca in self._cas.values() if ca.ca_id != ROOT_ID),
                key=lambda ca: (ca.meta.name, ca.ca_id),
            )
            return [self._cas[ROOT_ID], *subs]

    def signing_key(self, ca: LocalCA) -> CAPrivateKey:
        """``ca``'s private key, decrypted once and then kept in memory."""
        key = self._keys.get(ca.ca_id)
        if key is None:
            with self._lock:
                key = self._keys.get(ca.ca_id)
                if key is None:
                    what = f"the key of local CA {ca.ca_id!r}"
                    pem = self.state.get_secret(ca_key(ca.ca_id))
                    if pem is None:
                        raise PluginConfigurationError(f"{what} is missing")
                    key = load_private_key_pem(pem, self.settings.passphrase_text(), what)
                    if not key_matches(key, ca.cert):
                        raise PluginConfigurationError(f"{what} does not match its certificate")
                    self._keys[ca.ca_id] = key
        return key

    def rescan(self) -> None:
        """Bring the cache in line with the shared state: add new sub-CAs, forget
        deleted ones."""
        self.root()
        records = {key.removeprefix(CA_PREFIX): value
                   for key, value in self.state.list(CA_PREFIX).items()}
        records.pop(ROOT_ID, None)
        with self._lock:
            for gone in [i for i in self._cas if i != ROOT_ID and i not in records]:
                self._cas.pop(gone, None)
                self._keys.pop(gone, None)
            pending = {i: r for i, r in records.items() if i not in self._cas}
            self._cas.update(link_sub_cas(pending, self._cas))

    # -- changes ---------------------------------------------------------------------

    def create_sub_ca(
        self, name: str, description: str | None, subject_dn: str | None, parent_ca_id: str | None
    ) -> LocalCA:
        """Create a sub-CA signed by ``parent_ca_id`` (``None``: the root) and store it.

        :raises UnknownCAError: no such parent.
        :raises CAOperationError: the parent may not have sub-CAs, has expired, or
            ``subject_dn`` is not an RFC 4514 name.
        """
        parent = self.get(parent_ca_id)
        parent_path_length = path_length_of(parent.cert)
        if parent_path_length == 0:
            raise CAOperationError(
                f"CA {parent.ca_id!r} may not have sub-CAs (its path length is 0)"
            )
        subject = sub_ca_subject(name, subject_dn)
        key = generate_ca_key(self.settings.key_type)
        try:
            cert = build_ca_certificate(
                subject=subject,
                key=key,
                days=self.settings.sub_ca_validity_days,
                path_length=None if parent_path_length is None else parent_path_length - 1,
                issuer_cert=parent.cert,
                issuer_key=self.signing_key(parent),
            )
        except CAExpiredError as exc:
            raise CAOperationError(
                f"cannot create a sub-CA under {parent.ca_id!r}: {exc}"
            ) from None
        meta = CAMeta(ca_id=new_ca_id(name), name=name, description=description or "",
                      parent_ca_id=parent.ca_id)
        secret = private_key_pem(key, self.settings.passphrase_text())
        self.state.create(ca_key(meta.ca_id), ca_record(meta, cert), secret=secret)
        # Another worker may have deleted the parent meanwhile: then no orphan stays.
        if parent.ca_id != ROOT_ID and self.state.get(ca_key(parent.ca_id)) is None:
            self.state.delete(ca_key(meta.ca_id))
            raise UnknownCAError(f"no local CA with id {parent.ca_id!r}")
        ca = LocalCA(meta=meta, cert=cert, chain=(cert, *parent.chain))
        with self._lock:
            self._cas[ca.ca_id] = ca
            self._keys[ca.ca_id] = key
        return ca

    def delete(self, ca_id: str) -> None:
        """Delete a sub-CA that has no sub-CAs of its own.

        :raises CAOperationError: ``ca_id`` is the root or still has sub-CAs.
        :raises UnknownCAError: no such CA.
        """
        if ca_id == ROOT_ID:
            raise CAOperationError("the local root CA cannot be deleted")
        self.get(ca_id)
        self.rescan()
        with self._lock:
            children = sorted(c.ca_id for c in self._cas.values() if c.meta.parent_ca_id == ca_id)
        if children:
            raise CAOperationError(
                f"CA {ca_id!r} still has sub-CAs ({', '.join(children)}); delete them first"
            )
        if not self.state.delete(ca_key(ca_id)):
            raise UnknownCAError(f"no local CA with id {ca_id!r}")
        with self._lock:
            self._cas.pop(ca_id, None)
            self._keys.pop(ca_id, None)

    # -- loading ---------------------------------------------------------------------

    def _create_root(self) -> object:
        """Make a root and offer it; returns the stored root, which is another worker's
        when that one was first."""
        settings = self.settings
        key = generate_ca_key(settings.key_type)
        name = settings.root_common_name
        cert = build_ca_certificate(
            subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]),
            key=key,
            days=settings.root_validity_days,
            path_length=settings.max_sub_ca_depth,
        )
        meta = CAMeta(ca_id=ROOT_ID, name=name, description="Local root CA (generated)")
        mine = ca_record(meta, cert)
        stored = self.state.create(ca_key(ROOT_ID), mine,
                                   secret=private_key_pem(key, settings.passphrase_text()))
        if stored == mine:
            self._keys[ROOT_ID] = key
            log.info("created local root CA %r", name)
        return stored
