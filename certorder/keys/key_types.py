"""The key types the workers can make, apart from the code that makes them: the CLI's
``--key-type`` choices come from here without loading ``cryptography``."""

from __future__ import annotations

from enum import StrEnum


class KeyType(StrEnum):
    EC_P256 = "ec-p256"
    EC_P384 = "ec-p384"
    RSA_2048 = "rsa-2048"
    RSA_3072 = "rsa-3072"
    RSA_4096 = "rsa-4096"
    ED25519 = "ed25519"


DEFAULT_KEY_TYPE = KeyType.EC_P256
