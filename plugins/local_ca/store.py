"""The local CA's hierarchy: the root, its sub-CAs, and their (cached) signing keys.

The root has the id ``root``. A sub-CA's id is a slug of its name plus 8 random hex
digits (``web-servers-3f9a1c2e``): readable in logs, unique without coordination.

Several plugin instances (a worker, the CLI) may share one data_dir, so this class
trusts the disk, not its cache: an id it does not know triggers a rescan, a cached CA
whose directory vanished is forgotten, and create/delete run under the data_dir lock.
Keys are decrypted once per instance, on first use.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.x509.oid import NameOID

from certorder.plugins.interface.errors import (
    CAOperationError,
    PluginConfigurationError,
    UnknownCAError,
)
from certorder.plugins.local_ca.authority import (
    CA_ID_PATTERN,
    ROOT_ID,
    LocalCA,
    key_matches,
    load_configured_root,
    new_ca_id,
    sub_ca_subject,
)
from certorder.plugins.local_ca.files import CADirectory, CAMeta
from certorder.plugins.local_ca.issuer import CAExpiredError, build_ca_certificate, path_length_of
from certorder.plugins.local_ca.keys import CAPrivateKey, generate_ca_key, load_private_key
from certorder.plugins.local_ca.settings import LocalCASettings

log = logging.getLogger(__name__)


class CAStore:
    """Loads, creates and deletes the CAs of one data_dir; safe to share between threads."""

    def __init__(self, data_dir: Path, settings: LocalCASettings) -> None:
        self.settings = settings
        self.disk = CADirectory(data_dir)
        self._lock = threading.RLock()
        self._cas: dict[str, LocalCA] = {}
        self._keys: dict[str, CAPrivateKey] = {}
        if settings.root_cert_file is not None and settings.root_key_file is not None:
            root, key = load_configured_root(
                settings.root_cert_file, settings.root_key_file, settings.passphrase_text()
            )
            self._cas[ROOT_ID], self._keys[ROOT_ID] = root, key
        elif self.disk.exists(ROOT_ID):
            # Decrypt the stored root key now, so a wrong passphrase stops start-up
            # instead of failing every order.
            self.signing_key(self.root())

    # -- lookup ----------------------------------------------------------------------

    def root(self) -> LocalCA:
        """The root CA, created on first use when it is neither configured nor on disk."""
        root = self._cas.get(ROOT_ID)
        if root is not None:
            return root
        with self._lock:
            if ROOT_ID not in self._cas:
                with self.disk.locked():
                    if not self.disk.exists(ROOT_ID):
                        self._create_root()
                self._cas[ROOT_ID] = self._load(ROOT_ID, parent=None)
            return self._cas[ROOT_ID]

    def get(self, ca_id: str | None) -> LocalCA:
        """The CA with ``ca_id`` (``None`` or ``"root"``: the root).

        :raises UnknownCAError: no such CA, also after rereading the disk.
        """
        if ca_id is None or ca_id == ROOT_ID:
            return self.root()
        if not CA_ID_PATTERN.fullmatch(ca_id):
            raise UnknownCAError(f"no local CA with id {ca_id!r}")
        ca = self._cas.get(ca_id)
        if ca is not None and self.disk.exists(ca_id):
            return ca
        self.rescan()
        ca = self._cas.get(ca_id)
        if ca is None:
            raise UnknownCAError(f"no local CA with id {ca_id!r}")
        return ca

    def all(self) -> list[LocalCA]:
        """The root first, then every sub-CA, as on disk now."""
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
                    key = load_private_key(ca.key_path, self.settings.passphrase_text())
                    if not key_matches(key, ca.cert):
                        raise PluginConfigurationError(
                            f"CA key {ca.key_path} does not match the CA certificate"
                        )
                    self._keys[ca.ca_id] = key
        return key

    def rescan(self) -> None:
        """Bring the cache in line with the disk: add new sub-CAs, forget deleted ones."""
        self.root()
        with self._lock:
            on_disk = {ca_id for ca_id in self.disk.ids() if ca_id != ROOT_ID}
            for gone in [i for i in self._cas if i != ROOT_ID and i not in on_disk]:
                self._cas.pop(gone, None)
                self._keys.pop(gone, None)
            metas: dict[str, CAMeta] = {}
            for ca_id in sorted(on_disk - self._cas.keys()):
                try:
                    metas[ca_id] = self.disk.read(ca_id)[0]
                except ValueError as exc:
                    log.warning("skipping local sub-CA %s: %s", ca_id, exc)
            # Parents before children: repeat until a pass loads nothing new.
            progress = True
            while metas and progress:
                progress = False
                for ca_id, meta in list(metas.items()):
                    parent = self._cas.get(meta.parent_ca_id or ROOT_ID)
                    if parent is None:
                        continue
                    del metas[ca_id]
                    progress = True
                    try:
                        self._cas[ca_id] = self._load(ca_id, parent=parent)
                    except ValueError as exc:
                        log.warning("skipping local sub-CA %s: %s", ca_id, exc)
            for ca_id in metas:
                log.warning("skipping local sub-CA %s: its parent CA is missing", ca_id)

    # -- changes ---------------------------------------------------------------------

    def create_sub_ca(
        self, name: str, description: str | None, subject_dn: str | None, parent_ca_id: str | None
    ) -> LocalCA:
        """Create a sub-CA signed by ``parent_ca_id`` (``None``: the root) and publish it.

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
        meta = CAMeta(
            ca_id=new_ca_id(name),
            name=name,
            description=description or "",
            parent_ca_id=parent.ca_id,
        )
        with self._lock, self.disk.locked():
            # Another process may have deleted the parent since we looked it up.
            if parent.ca_id != ROOT_ID and not self.disk.exists(parent.ca_id):
                raise UnknownCAError(f"no local CA with id {parent.ca_id!r}")
            key_path = self.disk.publish(meta, cert, key, self.settings.passphrase_text())
            ca = LocalCA(meta=meta, cert=cert, key_path=key_path, chain=(cert, *parent.chain))
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
        self.root()  # before taking the data_dir lock: creating the root takes it too
        self.get(ca_id)
        with self._lock, self.disk.locked():
            self.rescan()  # under the lock, so no child can appear meanwhile
            if ca_id not in self._cas:
                raise UnknownCAError(f"no local CA with id {ca_id!r}")
            children = sorted(c.ca_id for c in self._cas.values() if c.meta.parent_ca_id == ca_id)
            if children:
                raise CAOperationError(
                    f"CA {ca_id!r} still has sub-CAs ({', '.join(children)}); delete them first"
                )
            self.disk.remove(ca_id)
            self._cas.pop(ca_id, None)
            self._keys.pop(ca_id, None)

    # -- loading ---------------------------------------------------------------------

    def _load(self, ca_id: str, parent: LocalCA | None) -> LocalCA:
        meta, cert, key_path = self.disk.read(ca_id)
        if parent is None:
            return LocalCA(meta=meta, cert=cert, key_path=key_path, chain=())
        try:
            cert.verify_directly_issued_by(parent.cert)
        except (InvalidSignature, ValueError, TypeError) as exc:
            raise ValueError(f"not issued by its parent {parent.ca_id!r} ({exc!r})") from None
        return LocalCA(meta=meta, cert=cert, key_path=key_path, chain=(cert, *parent.chain))

    def _create_root(self) -> None:
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
        self.disk.publish(meta, cert, key, settings.passphrase_text())
        self._keys[ROOT_ID] = key
        log.info("created local root CA %r in %s", name, self.disk.path(ROOT_ID))
