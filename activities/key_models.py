"""Inputs and results of the key activities. Only key *ids* and public material cross
the workflow boundary: a private key never enters Temporal history."""

from __future__ import annotations

from pydantic import BaseModel, Field

from certorder.keys.generation import DEFAULT_KEY_TYPE, KeyType

__all__ = ["DEFAULT_KEY_TYPE", "BuildCsrInput", "CreateKeyInput", "CreateKeyResult",
           "DeleteKeyInput", "KeyType"]


class CreateKeyInput(BaseModel):
    key_id: str
    key_type: KeyType = DEFAULT_KEY_TYPE


class CreateKeyResult(BaseModel):
    key_id: str
    key_type: KeyType
    #: SHA-256 of the public key (SubjectPublicKeyInfo DER), hex: tells versions apart.
    public_key_sha256: str


class BuildCsrInput(BaseModel):
    key_id: str
    dns_names: list[str] = Field(default_factory=list)
    ip_addresses: list[str] = Field(default_factory=list)
    common_name: str | None = None


class DeleteKeyInput(BaseModel):
    key_id: str
