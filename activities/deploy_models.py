"""Inputs and results of the managed-certificate activities (ids and public data only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class ReadCertificateInput(BaseModel):
    container_id: str


class CertificateFacts(BaseModel):
    serial: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    issuer: str = ""
    certificate: str = Field(repr=False)
    chain: str = Field(default="", repr=False)


class DeployInput(BaseModel):
    name: str
    deploy_dir: str
    version: int
    key_id: str
    container_id: str


class DeployResult(BaseModel):
    #: The stable path a server reads: a symlink to the version's directory.
    live_dir: str
    files: dict[str, str]


class HookInput(BaseModel):
    name: str
    command: str
    live_dir: str
    files: dict[str, str]
    serial: str
    version: int
