"""Activities on the worker's key store: make a key, build a CSR from it, delete it.

Errors name the key id only; the key's bytes, its data key and the KEK never appear in
an exception, a log line or a result.
"""

from __future__ import annotations

import hashlib

from cryptography.hazmat.primitives import serialization
from temporalio import activity
from temporalio.exceptions import ApplicationError

from certorder.activities.key_models import (
    BuildCsrInput,
    CreateKeyInput,
    CreateKeyResult,
    DeleteKeyInput,
)
from certorder.keys.envelope import KeyDecryptionError
from certorder.keys.generation import build_csr
from certorder.store.key_store import KeyInfo, KeyStore

UNKNOWN_KEY = "UnknownKey"
KEY_UNUSABLE = "KeyUnusable"


class KeyActivities:
    """Key generation and use, bound to the worker's :class:`KeyStore`."""

    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    @activity.defn(name="create_key")
    def create_key(self, request: CreateKeyInput) -> CreateKeyResult:
        """Make the key ``key_id`` once: a retried attempt returns the stored one."""
        try:
            info = self._keys.create(request.key_id, request.key_type)
        except ValueError as exc:
            raise ApplicationError(str(exc), type=KEY_UNUSABLE, non_retryable=True) from None
        return _result(info)

    @activity.defn(name="build_csr")
    def build_csr(self, request: BuildCsrInput) -> str:
        """A PEM CSR for the names, signed by the stored key ``key_id``."""
        try:
            key = self._keys.private_key(request.key_id)
        except KeyError:
            raise ApplicationError(f"no stored key {request.key_id!r}", type=UNKNOWN_KEY,
                                   non_retryable=True) from None
        except KeyDecryptionError as exc:
            raise ApplicationError(str(exc), type=KEY_UNUSABLE, non_retryable=True) from None
        try:
            return build_csr(key, request.dns_names, request.ip_addresses, request.common_name)
        except ValueError as exc:
            raise ApplicationError(f"cannot build a CSR: {exc}", type="InvalidOrderError",
                                   non_retryable=True) from None

    @activity.defn(name="delete_key")
    def delete_key(self, request: DeleteKeyInput) -> bool:
        return self._keys.delete(request.key_id)


def _result(info: KeyInfo) -> CreateKeyResult:
    der = serialization.load_pem_public_key(info.public_key.encode()).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return CreateKeyResult(key_id=info.key_id, key_type=info.key_type,
                           public_key_sha256=hashlib.sha256(der).hexdigest())
